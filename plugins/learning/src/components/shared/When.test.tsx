import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import { When } from './When';

const now = DateTime.fromISO('2026-11-27T12:00:00.000Z');

describe('When', () => {
  it('reads a recent moment relative to now, with the full date and time on hover', async () => {
    render(<When value="2026-11-27T09:00:00.000Z" now={now} />);
    const time = screen.getByText('3 hours ago');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('datetime', '2026-11-27T09:00:00.000Z');
    await userEvent.hover(time);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      DateTime.fromISO('2026-11-27T09:00:00.000Z').toLocaleString(
        DateTime.DATETIME_FULL,
      ),
    );
  });

  it('shows an older moment as a medium date and time, and a calendar date as a date', () => {
    const { rerender } = render(
      <When value="2026-10-01T09:00:00.000Z" now={now} />,
    );
    expect(
      screen.getByText(
        DateTime.fromISO('2026-10-01T09:00:00.000Z').toLocaleString(
          DateTime.DATETIME_MED,
        ),
      ),
    ).toBeInTheDocument();
    rerender(<When value="2026-11-20" now={now} />);
    expect(
      screen.getByText(
        DateTime.fromISO('2026-11-20').toLocaleString(DateTime.DATE_MED),
      ),
    ).toBeInTheDocument();
    rerender(<When now={now} />);
    expect(screen.getByText('—')).toBeInTheDocument();
  });
});
