import type { Config } from '@backstage/config';
import type { IncidentSource } from '@learning-loop/plugin-learning-node';
import { createGenericSource } from './genericSource';
import { createIncidentIoSource } from './incidentIoSource';
import { createOpsgenieSource } from './opsgenieSource';
import { IncidentIngestion } from './IncidentIngestion';

/** Webhook bodies above this many bytes are refused with 413 unless `learning.ingest.maxBodyBytes` says otherwise. */
export const DEFAULT_INGEST_MAX_BODY_BYTES = 256 * 1024;

/** The built-in incident sources that config gives a secret to, and the body size limit of all of them. */
export function readIngestConfig(config: Config): {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  sources: IncidentSource[];
} {
  const ingest = config.getOptionalConfig('learning.ingest');
  const sources: IncidentSource[] = [];
  const opsgenie = ingest?.getOptionalConfig('opsgenie');
  if (opsgenie) {
    sources.push(
      createOpsgenieSource({
        token: opsgenie.getString('token'),
        header: opsgenie.getOptionalString('header'),
      }),
    );
  }
  const incidentIo = ingest?.getOptionalConfig('incidentIo');
  if (incidentIo) {
    sources.push(
      createIncidentIoSource({
        secret: incidentIo.getString('secret'),
        toleranceSeconds: incidentIo.getOptionalNumber('toleranceSeconds'),
      }),
    );
  }
  const generic = ingest?.getOptionalConfig('webhook');
  if (generic) {
    sources.push(
      createGenericSource({
        secret: generic.getString('secret'),
        toleranceSeconds: generic.getOptionalNumber('toleranceSeconds'),
      }),
    );
  }
  return {
    maxBodyBytes:
      ingest?.getOptionalNumber('maxBodyBytes') ??
      DEFAULT_INGEST_MAX_BODY_BYTES,
    bodyTimeoutMs: ingest?.getOptionalNumber('bodyTimeoutMs') ?? 10_000,
    sources,
  };
}

/**
 * The ingestion of this backend: the built-in sources config enables and those backend modules added through
 * `learningIncidentSourcesExtensionPoint`, with the body limits of the receivers.
 */
export function createIngestion(options: {
  config: Config;
  added: IncidentSource[];
  deps: ConstructorParameters<typeof IncidentIngestion>[0];
}) {
  const ingest = readIngestConfig(options.config);
  const ingestion = new IncidentIngestion(options.deps);
  for (const source of [...ingest.sources, ...options.added]) {
    ingestion.addSource(source);
  }
  return {
    ingestion,
    maxBodyBytes: ingest.maxBodyBytes,
    bodyTimeoutMs: ingest.bodyTimeoutMs,
  };
}
