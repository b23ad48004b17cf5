import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { routerApp } from '../__testUtils__/routerApp';

const spec = parse(
  fs.readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'),
);

/** An Express path in OpenAPI form: `:id` becomes `{id}`, an escaped `\\:` stays a literal colon. */
function openApiPath(expressPath: string): string {
  return expressPath
    .split('\\:')
    .map(part => part.replace(/:(\w+)/g, '{$1}'))
    .join(':');
}

/** The method and path of every route the router serves, in OpenAPI form. */
async function servedRoutes(): Promise<string[]> {
  const { router } = await routerApp({} as any);
  return (router as any).stack
    .filter((layer: any) => layer.route)
    .flatMap((layer: any) =>
      Object.keys(layer.route.methods).map(
        method => `${method} ${openApiPath(layer.route.path)}`,
      ),
    )
    .sort();
}

describe('openapi.yaml', () => {
  it('documents exactly the routes the router serves', async () => {
    const documented = Object.entries(spec.paths)
      .flatMap(([p, ops]: [string, any]) =>
        Object.keys(ops)
          .filter(k => k !== 'parameters')
          .map(m => `${m} ${p}`),
      )
      .sort();
    expect(documented).toEqual(await servedRoutes());
  });

  it('states the page-size limit the API enforces', () => {
    expect(spec.components.parameters.limit.schema.maximum).toBe(100);
    expect(spec.components.parameters.limit.description).toMatch(
      /refused with 400/,
    );
  });
});
