import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Checkbox, Empty, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { SaveOutlined, TeamOutlined } from '@ant-design/icons';
import { formatYuan } from '../../../core/money.ts';
import { api, errorMessage, type AssignmentProposal } from '../api.ts';
import { CATEGORY_LABELS, type Category } from '../dunning.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

type HouseRow = AssignmentProposal['houses'][number];

/**
 * 分户到人: the houses in arrears split among the chosen collectors, evenly by count and difficulty, buildings and
 * floors kept together; each collector's count, difficulty and amount are shown before saving, and any house can be
 * moved by hand (the shares follow). Saving stores one collector per house.
 */
export default function AssignmentPage() {
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [proposal, setProposal] = useState<AssignmentProposal | undefined>(undefined);
  const [team, setTeam] = useState<number[] | undefined>(undefined);
  const [chosen, setChosen] = useState<Map<number, number>>(new Map());
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'propose' | 'save' | undefined>(undefined);

  async function propose(collectorIds?: number[]) {
    if (projectId === undefined) return;
    setBusy('propose');
    setError(undefined);
    try {
      const p = await api.assignmentProposal(projectId, collectorIds);
      setProposal(p);
      setTeam(p.collectors.map((c) => c.userId));
      setChosen(new Map(p.houses.map((h) => [h.houseId, h.userId])));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  }
  useEffect(() => { setProposal(undefined); setTeam(undefined); void propose(); }, [projectId]);

  async function save() {
    if (projectId === undefined || !proposal) return;
    setBusy('save');
    setError(undefined);
    try {
      const r = await api.saveAssignment(projectId, proposal.houses.map((h) => ({ houseId: h.houseId, userId: chosen.get(h.houseId)! })));
      void message.success(`已保存：${r.saved} 户，其中 ${r.changed} 户变更了负责人`);
      await propose(team);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  }

  // The shares as they stand with the manual moves.
  const names = useMemo(() => new Map((proposal?.candidates ?? []).map((c) => [c.userId, c.name])), [proposal]);
  const shares = useMemo(() => (proposal?.collectors ?? []).map((c) => {
    const mine = (proposal?.houses ?? []).filter((h) => chosen.get(h.houseId) === c.userId);
    return { ...c, houses: mine.length, difficulty: mine.reduce((s, h) => s + h.difficulty, 0), owedFen: mine.reduce((s, h) => s + h.owedFen, 0), buildings: [...new Set(mine.map((h) => h.building))] };
  }), [proposal, chosen]);
  const loads = shares.map((s) => s.difficulty);
  const spread = loads.length ? Math.max(...loads) - Math.min(...loads) : 0;
  const manual = proposal ? proposal.houses.filter((h) => chosen.get(h.houseId) !== h.userId).length : 0;

  const shareColumns: TableProps<(typeof shares)[number]>['columns'] = [
    { title: '收费员', dataIndex: 'name', width: 120 },
    { title: '户数', dataIndex: 'houses', width: 80, align: 'right', render: (v: number) => <span data-testid="share-houses">{v}</span> },
    { title: '难度', dataIndex: 'difficulty', width: 80, align: 'right' },
    { title: '欠费', dataIndex: 'owedFen', width: 120, align: 'right', render: (v: number) => formatYuan(v) },
    { title: '楼栋', dataIndex: 'buildings', render: (v: string[]) => v.join('、') || '—' },
  ];
  const houseColumns: TableProps<HouseRow>['columns'] = [
    { title: '房屋', dataIndex: 'house', width: 130 },
    { title: '区域', dataIndex: 'area', width: 80, render: (v: string | null) => v ?? '—' },
    { title: '楼层', dataIndex: 'floor', width: 60, align: 'right' },
    { title: '欠费', dataIndex: 'owed', width: 110, align: 'right' },
    { title: '分类', dataIndex: 'category', width: 100, render: (v: string | null) => (v ? CATEGORY_LABELS[v as Category] ?? v : '—') },
    { title: '难度', dataIndex: 'difficulty', width: 70, align: 'right' },
    {
      title: '原负责人', dataIndex: 'currentUserId', width: 100,
      render: (v: number | null) => (v === null ? <Typography.Text type="secondary">未分配</Typography.Text> : names.get(v) ?? `#${v}`),
    },
    {
      title: '负责人', key: 'userId', width: 170,
      render: (_, h) => (
        <Space size={4}>
          <Select
            size="small" style={{ width: 110 }} value={chosen.get(h.houseId)} data-testid="house-collector"
            options={(proposal?.collectors ?? []).map((c) => ({ value: c.userId, label: c.name }))}
            onChange={(v: number) => setChosen(new Map(chosen).set(h.houseId, v))}
          />
          {chosen.get(h.houseId) !== h.userId && <Tag color="gold">手动</Tag>}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="assignment-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>分户到人</Typography.Title>
      <Typography.Paragraph type="secondary">
        按区域 → 楼栋 → 楼层把欠费户分给收费员，按户数与难度（欠费金额、欠费时长、分类、以往联系结果）均衡；同一楼栋、楼层尽量归同一人。保存前可逐户调整。
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="assignment-error" />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : proposal && (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            <span>参与分配：</span>
            <Checkbox.Group
              value={team} data-testid="assignment-team"
              options={proposal.candidates.map((c) => ({ value: c.userId, label: c.name }))}
              onChange={(v) => setTeam(v)}
            />
            <Button icon={<TeamOutlined />} onClick={() => void propose(team)} loading={busy === 'propose'} disabled={!team?.length} data-testid="assignment-propose">重新分配</Button>
            <Button type="primary" icon={<SaveOutlined />} onClick={() => void save()} loading={busy === 'save'} disabled={proposal.houses.length === 0} data-testid="assignment-save">保存</Button>
          </Space>
          {proposal.buildingScoped.length > 0 && (
            <Alert type="info" showIcon style={{ marginBottom: 12 }} title={`${proposal.buildingScoped.map((c) => c.name).join('、')} 只负责部分楼栋，不参与自动分配，可逐户指定。`} />
          )}
          <Typography.Paragraph data-testid="assignment-balance" data-spread={spread} data-tolerance={proposal.tolerance}>
            难度差（最高 − 最低）：<b>{spread}</b>（方案承诺不超过 {proposal.tolerance}）；与现有分配相比变更 {proposal.moved} 户{manual > 0 ? `，手动调整 ${manual} 户` : ''}。
          </Typography.Paragraph>
          <Table
            rowKey="userId" size="small" columns={shareColumns} dataSource={shares} pagination={false} style={{ marginBottom: 16 }}
            onRow={(s) => ({ 'data-testid': 'share-row', 'data-user-id': s.userId } as HTMLAttributes<HTMLElement>)}
          />
          <Table<HouseRow>
            rowKey="houseId" size="small" columns={houseColumns} dataSource={proposal.houses} scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false, showTotal: (n) => `共 ${n} 户` }}
            onRow={(h) => ({ 'data-testid': 'assignment-house', 'data-house-id': h.houseId } as HTMLAttributes<HTMLElement>)}
          />
        </>
      )}
    </div>
  );
}
