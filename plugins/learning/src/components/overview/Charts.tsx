import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  Area,
  Bar,
  BarChart,
  ComposedChart,
  CartesianGrid,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  severities,
  type AgingBucket,
  type Severity,
  type MonthTrend as Trend,
} from '@learning-loop/plugin-learning-common';

/** A chart with a visible title and an accessible description, drawn in the theme's colours. */
export function Chart(props: {
  title: string;
  description: string;
  children: JSX.Element;
}) {
  return (
    <figure
      role="img"
      aria-label={`${props.title}. ${props.description}`}
      style={{ margin: 0 }}
    >
      <Typography variant="subtitle2" component="figcaption">
        {props.title}
      </Typography>
      <div style={{ width: '100%', height: 220 }}>
        <ResponsiveContainer>{props.children}</ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Colours that read in the light and the dark theme. */
export function useChartColors() {
  const theme = useTheme();
  return {
    text: theme.palette.text.secondary,
    grid: theme.palette.divider,
    series: [
      theme.palette.error.main,
      theme.palette.warning.main,
      theme.palette.info.main,
      theme.palette.success.main,
      theme.palette.primary.main,
    ],
    tooltip: {
      backgroundColor: theme.palette.background.paper,
      color: theme.palette.text.primary,
      border: `1px solid ${theme.palette.divider}`,
    },
  };
}

/** Monthly incidents by severity, stacked. */
export function IncidentsBySeverityChart(props: { trends: Trend[] }) {
  const c = useChartColors();
  const data = props.trends.map(t => ({
    ...(t.bySeverity as Partial<Record<Severity, number>>),
    month: t.month,
  }));
  return (
    <Chart
      title="Incidents by severity, per month"
      description={data
        .map(
          d =>
            `${d.month}: ${severities
              .map(s => `${d[s] ?? 0} ${s}`)
              .join(', ')}`,
        )
        .join('; ')}
    >
      <BarChart data={data}>
        <CartesianGrid stroke={c.grid} strokeDasharray="3 3" />
        <XAxis dataKey="month" stroke={c.text} />
        <YAxis allowDecimals={false} stroke={c.text} />
        <Tooltip contentStyle={c.tooltip} />
        <Legend />
        {severities.map((s, n) => (
          <Bar
            key={s}
            dataKey={s}
            stackId="severity"
            fill={c.series[n]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </Chart>
  );
}

const hoursOf = (minutes?: number) =>
  minutes === undefined ? null : Math.round((minutes / 60) * 10) / 10;

/**
 * Monthly median time to resolve and repeat rate, each with its interval as a band (the order statistics bounding
 * the median, Wilson's interval of the rate) at the configured level: a month of three incidents draws a wide band,
 * so a dip in the line is not read as a trend.
 */
export function RecoveryChart(props: { trends: Trend[] }) {
  const c = useChartColors();
  const data = props.trends.map(t => ({
    month: t.month,
    'TTR median (h)': hoursOf(t.ttrMedianMinutes),
    'TTR interval (h)': t.ttrMedianInterval
      ? t.ttrMedianInterval.map(m => hoursOf(m))
      : null,
    'Repeat rate (%)': t.incidents
      ? Math.round((t.recurrences / t.incidents) * 100)
      : null,
    'Repeat rate interval (%)': t.repeatRateInterval
      ? t.repeatRateInterval.map(v => Math.round(v * 100))
      : null,
  }));
  const band = (range: unknown) =>
    Array.isArray(range) ? ` (interval ${range[0]}–${range[1]})` : '';
  return (
    <Chart
      title="Time to resolve and repeat rate, per month"
      description={data
        .map(
          d =>
            `${d.month}: TTR ${d['TTR median (h)'] ?? 'n/a'} h${band(
              d['TTR interval (h)'],
            )}, repeat ${d['Repeat rate (%)'] ?? 'n/a'}%${band(
              d['Repeat rate interval (%)'],
            )}`,
        )
        .join('; ')}
    >
      <ComposedChart data={data}>
        <CartesianGrid stroke={c.grid} strokeDasharray="3 3" />
        <XAxis dataKey="month" stroke={c.text} />
        <YAxis yAxisId="h" stroke={c.text} />
        <YAxis yAxisId="pct" orientation="right" stroke={c.text} />
        <Tooltip contentStyle={c.tooltip} />
        <Legend />
        <Area
          yAxisId="h"
          dataKey="TTR interval (h)"
          stroke="none"
          fill={c.series[4]}
          fillOpacity={0.15}
          connectNulls
          isAnimationActive={false}
        />
        <Area
          yAxisId="pct"
          dataKey="Repeat rate interval (%)"
          stroke="none"
          fill={c.series[0]}
          fillOpacity={0.12}
          connectNulls
          isAnimationActive={false}
        />
        <Line
          yAxisId="h"
          dataKey="TTR median (h)"
          stroke={c.series[4]}
          connectNulls
          isAnimationActive={false}
        />
        <Line
          yAxisId="pct"
          dataKey="Repeat rate (%)"
          stroke={c.series[0]}
          connectNulls
          isAnimationActive={false}
        />
      </ComposedChart>
    </Chart>
  );
}

/** Actions opened versus closed per month: is the backlog burning down? */
export function BurnUpChart(props: { trends: Trend[] }) {
  const c = useChartColors();
  const data = props.trends.map(t => ({
    month: t.month,
    Opened: t.actionsOpened,
    Closed: t.actionsClosed,
  }));
  return (
    <Chart
      title="Actions opened versus closed, per month"
      description={data
        .map(d => `${d.month}: ${d.Opened} opened, ${d.Closed} closed`)
        .join('; ')}
    >
      <BarChart data={data}>
        <CartesianGrid stroke={c.grid} strokeDasharray="3 3" />
        <XAxis dataKey="month" stroke={c.text} />
        <YAxis allowDecimals={false} stroke={c.text} />
        <Tooltip contentStyle={c.tooltip} />
        <Legend />
        <Bar dataKey="Opened" fill={c.series[1]} isAnimationActive={false} />
        <Bar dataKey="Closed" fill={c.series[3]} isAnimationActive={false} />
      </BarChart>
    </Chart>
  );
}

/** Open actions by how long they have waited. */
export function AgingChart(props: { aging: AgingBucket[] }) {
  const c = useChartColors();
  return (
    <Chart
      title="Open actions by age"
      description={props.aging.map(a => `${a.bucket}: ${a.actions}`).join('; ')}
    >
      <BarChart data={props.aging}>
        <CartesianGrid stroke={c.grid} strokeDasharray="3 3" />
        <XAxis dataKey="bucket" stroke={c.text} />
        <YAxis allowDecimals={false} stroke={c.text} />
        <Tooltip contentStyle={c.tooltip} />
        <Bar
          dataKey="actions"
          name="Open actions"
          fill={c.series[2]}
          isAnimationActive={false}
        />
      </BarChart>
    </Chart>
  );
}
