import { useEffect, useRef, useState } from 'react';
import { Select } from 'antd';
import { api, type HouseRow } from '../api.ts';
import { useApi } from '../hooks.ts';

export const houseLabel = (h: HouseRow) => `${h.buildingName} ${h.number}${h.ownerNames ? ` · ${h.ownerNames}` : ''}`;

/**
 * A house of the project found by the beginning of its number (GET /api/houses?q=…), for a Form.Item (value/onChange:
 * the house id). `initialQuery` lists its matches before anything is typed; `prefer` picks the one house it accepts
 * among the first answer, once, when nothing is chosen yet (e.g. the building and number an owner typed).
 */
export function HouseSearchSelect({ projectId, initialQuery, prefer, value, onChange, testId }: {
  projectId: number;
  initialQuery?: string | undefined;
  prefer?: ((h: HouseRow) => boolean) | undefined;
  value?: number | undefined;
  onChange?: ((houseId: number | undefined) => void) | undefined;
  testId?: string | undefined;
}) {
  const [q, setQ] = useState('');
  const query = q.trim() || (initialQuery ?? '').trim();
  const found = useApi(query ? () => api.houses({ projectId, q: query, page: 1, pageSize: 20 }) : null, [projectId, query]);
  const [picked, setPicked] = useState<HouseRow | undefined>(undefined);
  const items = found.data?.items ?? [];
  const preferred = useRef(false);

  useEffect(() => {
    if (preferred.current || !prefer || !found.data) return;
    preferred.current = true;
    const hits = found.data.items.filter(prefer);
    if (value === undefined && hits.length === 1 && hits[0]) {
      setPicked(hits[0]);
      onChange?.(hits[0].id);
    }
  }, [found.data, prefer, value, onChange]);

  const shown = picked && !items.some((h) => h.id === picked.id) ? [picked, ...items] : items;
  return (
    <Select<number>
      style={{ width: '100%' }} allowClear placeholder="输入房号查找本项目的房屋" value={value}
      onChange={(id) => {
        setPicked(shown.find((h) => h.id === id));
        onChange?.(id);
      }}
      showSearch={{ filterOption: false, onSearch: setQ }} loading={found.loading}
      options={shown.map((h) => ({ value: h.id, label: houseLabel(h) }))}
      notFoundContent={query ? (found.loading ? '查找中…' : found.error ?? '没有此房号') : '输入房号查找'} data-testid={testId}
    />
  );
}
