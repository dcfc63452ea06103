// charts.js - ECharts with only what the UI draws (radar charts on canvas), so the chart code is
// a few hundred KB smaller than the full library and loads only with the screens that draw one.
import { RadarChart } from 'echarts/charts';
import { LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([RadarChart, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
