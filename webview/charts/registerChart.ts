/** Registers only the Chart.js parts the dashboard uses (smaller bundle). */
import {
  Chart, Filler, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip,
} from 'chart.js';

let done = false;

export function registerChart(): typeof Chart {
  if (!done) {
    Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Tooltip);
    done = true;
  }
  return Chart;
}
