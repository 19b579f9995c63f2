/**
 * Chart.js configuration of the Sweep card's parameter-importance bars (model: importance.ts): one
 * horizontal bar per swept hyperparameter, its share of the variance of log10 final loss, then one per pair
 * of them, the share their interaction adds (interactions.ts; another colour), axis 0..1 with the
 * dashboard's tick placement (charts/axisTicks.ts), labelled in percent.
 */
import { BarController, BarElement, CategoryScale, type ChartConfiguration } from 'chart.js';
import { placeTicks } from '../charts/axisTicks';
import { registerChart } from '../charts/registerChart';
import type { Theme } from '../theme';
import type { ImportanceResult } from './importance';

let registered = false;

/** Chart.js with the bar chart's parts (the dashboard's line charts register theirs in registerChart). */
export function registerBarChart(): ReturnType<typeof registerChart> {
  const Chart = registerChart();
  if (!registered) {
    Chart.register(BarController, BarElement, CategoryScale);
    registered = true;
  }
  return Chart;
}

export function importanceConfig(importance: ImportanceResult, theme: Theme): ChartConfiguration<'bar', number[], string> {
  const font = { family: theme.font, size: 10 };
  const bars = [...importance.bars, ...importance.pairs];
  const colours = bars.map((_, i) => (i < importance.bars.length ? theme.palette[0] : theme.palette[1]));
  return {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.name),
      datasets: [{ label: 'share of variance', data: bars.map((b) => b.share), backgroundColor: colours, borderWidth: 0, barPercentage: 0.7 }],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'linear', min: 0, max: 1,
          title: { display: true, text: `share of the variance of ${importance.logLoss ? 'log10 ' : ''}final loss`, color: theme.muted, font: { ...font, size: 11 } },
          ticks: { color: theme.muted, font, callback: (v) => `${Math.round(Number(v) * 100)}%` },
          grid: { color: theme.grid }, border: { color: theme.grid },
          afterBuildTicks: placeTicks,
        },
        y: { type: 'category', ticks: { color: theme.fg, font }, grid: { display: false }, border: { color: theme.grid } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { enabled: true, backgroundColor: theme.bg, titleColor: theme.fg, bodyColor: theme.fg, callbacks: { label: (item) => `${(100 * Number(item.raw)).toFixed(1)}% of the variance${item.dataIndex >= importance.bars.length ? ' (interaction beyond both main effects)' : ''}` } },
      },
    },
  };
}
