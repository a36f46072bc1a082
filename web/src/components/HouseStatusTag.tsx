import { Tag } from 'antd';

const COLORS: Record<string, string> = { 未交付: 'default', 已交付: 'blue', 空置: 'orange', 自住: 'green', 出租: 'purple' };

export function HouseStatusTag({ status }: { status: string }) {
  return <Tag color={COLORS[status] ?? 'default'}>{status}</Tag>;
}
