import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';
import {
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  describeComparison,
  type DurationDistribution as Distribution,
  type DurationSample,
  type DurationsQueryInput,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { useChartColors } from '../overview/Charts';
import { SelectField } from './SelectField';

const measures = [
  { value: 'ttr', label: 'Time to resolve' },
  { value: 'ttm', label: 'Time to mitigate' },
  { value: 'tta', label: 'Time to acknowledge' },
];

/** Minutes as people read them: "45 min", "3.5 h", "2.1 d". */
export function readableMinutes(m?: number): string {
  if (m === undefined) return 'n/a';
  if (m < 120) return `${Math.round(m)} min`;
  if (m < 48 * 60) return `${Math.round((m / 60) * 10) / 10} h`;
  return `${Math.round((m / 1440) * 10) / 10} d`;
}

/** A period's sentence for screen readers and the caption: n, median and p90. */
function summary(label: string, s: DurationSample): string {
  return s.stats.n
    ? `${label}: n = ${s.stats.n}, median ${readableMinutes(
        s.stats.median,
      )}, p90 ${readableMinutes(s.stats.p90)}`
    : `${label}: no incidents with this time`;
}

// a spread within each period's column, the same for the same incident: points do not hide each other
const jitter = (id: string) => {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return ((h % 1000) / 1000 - 0.5) * 0.5;
};

/**
 * A duration as a distribution, not only a summary: every incident of the period and of the one before is a point
 * on a log scale (durations are skewed, a few last days), with the median and p90 marked; hover a point for its
 * incident. The verdict says whether the periods differ by more than chance.
 */
export function DurationDistributionCard(props: {
  query: Omit<DurationsQueryInput, 'measure'>;
  periodLabel: string;
}) {
  const api = useApi(learningApiRef);
  const c = useChartColors();
  const [measure, setMeasure] = useState<'ttr' | 'ttm' | 'tta'>('ttr');
  const { value, loading, error } = useAsync(
    () => api.getDurations({ ...props.query, measure }),
    [api, JSON.stringify(props.query), measure],
  );
  const label = measures.find(m => m.value === measure)!.label;
  return (
    <InfoCard
      title={`${label}: distribution`}
      subheader="Every incident a point, on a log scale; the lines mark the median and the 90th percentile"
      action={
        <SelectField
          label="Duration"
          ariaLabel="Duration shown"
          value={measure}
          options={measures}
          onChange={m => m && setMeasure(m as typeof measure)}
        />
      }
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <DistributionPlot
          distribution={value}
          label={label}
          periodLabel={props.periodLabel}
          colors={c}
        />
      )}
    </InfoCard>
  );
}

function DistributionPlot(props: {
  distribution: Distribution;
  label: string;
  periodLabel: string;
  colors: ReturnType<typeof useChartColors>;
}) {
  const { distribution: d, colors: c } = props;
  const periods = [
    { x: 0, name: 'Previous period', sample: d.previous, color: c.series[2] },
    { x: 1, name: props.periodLabel, sample: d.current, color: c.series[4] },
  ];
  const description = `${props.label}. ${periods
    .map(p => summary(p.name, p.sample))
    .join('; ')}. Change: ${describeComparison(d.change)}`;
  // the log scale needs positive values: a zero-minute duration is drawn at one minute
  const y = (m: number) => Math.max(1, m);
  return (
    <>
      <figure role="img" aria-label={description} style={{ margin: 0 }}>
        <div style={{ width: '100%', height: 260 }}>
          <ResponsiveContainer>
            <ScatterChart margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid stroke={c.grid} strokeDasharray="3 3" />
              <XAxis
                type="number"
                dataKey="x"
                domain={[-0.5, 1.5]}
                ticks={[0, 1]}
                tickFormatter={(x: number) => periods[x]?.name ?? ''}
                stroke={c.text}
              />
              <YAxis
                type="number"
                dataKey="y"
                scale="log"
                domain={['auto', 'auto']}
                allowDataOverflow
                tickFormatter={(m: number) => readableMinutes(m)}
                stroke={c.text}
                width={64}
              />
              <Tooltip
                contentStyle={c.tooltip}
                cursor={false}
                content={({ payload }) => {
                  const point = payload?.[0]?.payload as
                    | { title: string; minutes: number; startedAt: string }
                    | undefined;
                  return point ? (
                    <div style={{ ...c.tooltip, padding: 8, maxWidth: 280 }}>
                      <strong>{point.title}</strong>
                      <div>
                        {readableMinutes(point.minutes)} ·{' '}
                        {point.startedAt.slice(0, 10)}
                      </div>
                    </div>
                  ) : null;
                }}
              />
              {periods.map(p => (
                <Scatter
                  key={p.name}
                  name={p.name}
                  data={p.sample.points.map(point => ({
                    ...point,
                    x: p.x + jitter(point.incidentId),
                    y: y(point.minutes),
                  }))}
                  fill={p.color}
                  fillOpacity={0.7}
                  isAnimationActive={false}
                />
              ))}
              {periods.flatMap(p =>
                (['median', 'p90'] as const).flatMap(stat =>
                  p.sample.stats[stat] === undefined
                    ? []
                    : [
                        <ReferenceLine
                          key={`${p.name}-${stat}`}
                          segment={[
                            { x: p.x - 0.3, y: y(p.sample.stats[stat]!) },
                            { x: p.x + 0.3, y: y(p.sample.stats[stat]!) },
                          ]}
                          stroke={p.color}
                          strokeWidth={stat === 'median' ? 3 : 1}
                          strokeDasharray={stat === 'p90' ? '4 3' : undefined}
                          label={{
                            value: stat,
                            position: 'right',
                            fill: c.text,
                            fontSize: 11,
                          }}
                        />,
                      ],
                ),
              )}
            </ScatterChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <Typography variant="body2" data-testid="distribution-summary">
        {periods.map(p => summary(p.name, p.sample)).join(' · ')}
      </Typography>
      <Typography variant="body2" data-testid="distribution-change">
        Change in the median: {describeComparison(d.change)}
        {d.current.truncated || d.previous.truncated
          ? ' · many incidents: every k-th by duration is drawn, the figures count all'
          : ''}
      </Typography>
    </>
  );
}
