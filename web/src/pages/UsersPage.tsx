import { useState } from 'react';
import { Alert, App as AntApp, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined, UserAddOutlined } from '@ant-design/icons';
import { ROLES, ROLE_LABELS, isCompanyWide } from '../../../core/access/roles.ts';
import { api, errorMessage, type NewUser, type Project, type Role, type User, type UserScope } from '../api.ts';
import { useApi } from '../hooks.ts';

/** 用户管理: the company's staff accounts, and a form to add one. */
export default function UsersPage() {
  const users = useApi(() => api.users(), []);
  const projects = useApi(() => api.projects(), []);
  const [creating, setCreating] = useState(false);
  const projectName = new Map((projects.data?.items ?? []).map((p) => [p.id, p.name]));

  function scopeText(u: User) {
    if (isCompanyWide(u.role)) return <Tag color="geekblue">全公司</Tag>;
    if (u.scopes.length === 0) return <Typography.Text type="secondary">未分配</Typography.Text>;
    return (
      <Space size={[4, 4]} wrap>
        {u.scopes.map((s: UserScope) => (
          <Tag key={`${s.projectId}-${s.buildingId ?? 'all'}`}>
            {projectName.get(s.projectId) ?? `项目 #${s.projectId}`}{s.buildingId !== null ? ` · 楼栋 #${s.buildingId}` : ''}
          </Tag>
        ))}
      </Space>
    );
  }

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>用户管理</Typography.Title>
        <Button type="primary" icon={<UserAddOutlined />} onClick={() => setCreating(true)} data-testid="create-user">新建用户</Button>
      </Space>
      {users.error && <Alert type="error" showIcon title={users.error} style={{ marginBottom: 16 }} />}
      <Table<User>
        rowKey="id"
        size="middle"
        loading={users.loading}
        dataSource={users.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: '用户名', dataIndex: 'username', render: (v: string) => <span data-testid="user-username">{v}</span> },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (r: Role, u) => u.roleLabel ?? ROLE_LABELS[r]?.zh ?? r },
          { title: '状态', key: 'state', render: (_, u) => <Space size={4}>{u.active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>}{u.locked && <Tag color="red">已锁定</Tag>}</Space> },
          { title: '负责范围', key: 'scopes', render: (_, u) => scopeText(u) },
        ]}
      />
      <CreateUserModal
        open={creating}
        projects={projects.data?.items ?? []}
        onClose={(created) => {
          setCreating(false);
          if (created) users.reload();
        }}
      />
    </div>
  );
}

interface CreateForm {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  scopes?: Array<{ projectId?: number; buildingId?: number }>;
}

function BuildingSelect({ projectId, value, onChange }: { projectId: number | undefined; value?: number; onChange?: (v: number | undefined) => void }) {
  const buildings = useApi(projectId === undefined ? null : () => api.buildings(projectId), [projectId]);
  return (
    <Select<number>
      allowClear
      placeholder="整个项目"
      style={{ width: 160 }}
      value={value}
      onChange={(v) => onChange?.(v)}
      loading={buildings.loading}
      disabled={projectId === undefined}
      options={(buildings.data?.items ?? []).map((b) => ({ value: b.id, label: b.name }))}
    />
  );
}

function CreateUserModal({ open, projects, onClose }: { open: boolean; projects: Project[]; onClose: (created: boolean) => void }) {
  const [form] = Form.useForm<CreateForm>();
  const { message } = AntApp.useApp();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const role = Form.useWatch('role', form);

  async function submit() {
    let v: CreateForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const input: NewUser = {
      username: v.username.trim(),
      displayName: v.displayName.trim(),
      role: v.role,
      password: v.password,
      scopes: (v.scopes ?? []).filter((s): s is { projectId: number; buildingId?: number } => s.projectId !== undefined)
        .map((s) => ({ projectId: s.projectId, buildingId: s.buildingId ?? null })),
    };
    setBusy(true);
    setError(undefined);
    try {
      await api.createUser(input);
      void message.success(`已创建用户 ${input.username}`);
      form.resetFields();
      onClose(true);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="新建用户" open={open} okButtonProps={{ 'data-testid': 'new-user-submit' }} onOk={() => void submit()} onCancel={() => { setError(undefined); onClose(false); }} confirmLoading={busy} okText="创建" cancelText="取消" width={560} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<CreateForm> form={form} layout="vertical" requiredMark={false} initialValues={{ role: 'collector', scopes: [] }}>
        <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }, { pattern: /^[A-Za-z0-9_.-]{3,32}$/, message: '3–32 位字母、数字、下划线、点或减号' }]}>
          <Input autoComplete="off" data-testid="new-user-username" />
        </Form.Item>
        <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true, message: '请输入姓名' }]}>
          <Input data-testid="new-user-display-name" />
        </Form.Item>
        <Form.Item name="role" label="角色" rules={[{ required: true }]}>
          <Select<Role> options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r].zh }))} data-testid="new-user-role" />
        </Form.Item>
        <Form.Item name="password" label="初始密码" extra="至少 10 位，须同时包含字母和数字"
          rules={[{ required: true, message: '请输入初始密码' }, { min: 10, message: '至少 10 位' }, { pattern: /(?=.*[A-Za-z])(?=.*\d)/, message: '须同时包含字母和数字' }]}>
          <Input.Password autoComplete="new-password" data-testid="new-user-password" />
        </Form.Item>
        {role !== undefined && !isCompanyWide(role) && (
          <Form.Item label="负责范围（项目，可细化到楼栋）">
            <Form.List name="scopes">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((field) => (
                    <Space key={field.key} align="baseline" style={{ display: 'flex', marginBottom: 8 }}>
                      <Form.Item name={[field.name, 'projectId']} rules={[{ required: true, message: '请选择项目' }]} noStyle>
                        <Select<number> placeholder="项目" style={{ width: 220 }} options={projects.map((p) => ({ value: p.id, label: p.name }))} data-testid="new-user-scope-project" />
                      </Form.Item>
                      <Form.Item noStyle shouldUpdate>
                        {() => (
                          <Form.Item name={[field.name, 'buildingId']} noStyle>
                            <BuildingSelect projectId={form.getFieldValue(['scopes', field.name, 'projectId']) as number | undefined} />
                          </Form.Item>
                        )}
                      </Form.Item>
                      <MinusCircleOutlined onClick={() => remove(field.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" onClick={() => add()} icon={<PlusOutlined />} data-testid="new-user-add-scope">添加范围</Button>
                </>
              )}
            </Form.List>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
