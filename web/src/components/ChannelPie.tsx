import { useEffect, useRef } from 'react';
import { init, use, type ComposeOption } from 'echarts/core';
import { PieChart, type PieSeriesOption } from 'echarts/charts';
import { LegendComponent, TooltipComponent, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatYuan } from '../../../core/money.ts';

// Only what a pie needs (tree-shaken): this module is loaded on demand, apart from the page that shows it.
use([PieChart, LegendComponent, TooltipComponent, CanvasRenderer]);

type Option = ComposeOption<PieSeriesOption | LegendComponentOption | TooltipComponentOption>;

export interface PieSlice {
  name: string;
  /** Integer fen; only positive slices are drawn. */
  valueFen: number;
}

/** A pie of amounts (fen, labelled in yuan). Default export: loaded with React.lazy. */
export default function ChannelPie({ data, height = 280, testId = 'channel-pie' }: { data: readonly PieSlice[]; height?: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const slices = data.filter((d) => d.valueFen > 0);
  const key = JSON.stringify(slices);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const chart = init(node, undefined, { renderer: 'canvas' });
    const points = (JSON.parse(key) as PieSlice[]).map((s) => ({ name: s.name, value: s.valueFen }));
    const option: Option = {
      tooltip: {
        trigger: 'item',
        // The value is integer fen: shown with formatYuan, never as a float of yuan.
        formatter: (p) => {
          const x = Array.isArray(p) ? p[0] : p;
          return x ? `${x.name}：${formatYuan(Number(x.value))}（${String(x.percent ?? '')}%）` : '';
        },
      },
      legend: { bottom: 0, left: 'center' },
      series: [{
        type: 'pie',
        radius: ['35%', '65%'],
        center: ['50%', '45%'],
        avoidLabelOverlap: true,
        label: { formatter: (p) => `${p.name}\n${formatYuan(Number(p.value))}` },
        data: points,
      }],
    };
    chart.setOption(option);
    node.dataset.ready = 'true';
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [key]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} data-slices={slices.length} />;
}
