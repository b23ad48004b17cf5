import { render, waitFor } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders its sign-in page', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(App.createRoot());

    // the app has rendered its sign-in page: the configured title and the guest provider's button (an app that
    // fails to render shows nothing, or an error page without them)
    await waitFor(
      () =>
        expect(
          rendered.getByRole('button', { name: 'Enter' }),
        ).toBeInTheDocument(),
      { timeout: 20_000 },
    );
    expect(rendered.getByText('Test')).toBeInTheDocument();
    expect(rendered.getByText(/as a Guest User/)).toBeInTheDocument();
  }, 30_000);
});
