import { Button, Dropdown } from 'antd';
import { DownloadOutlined, DownOutlined } from '@ant-design/icons';
import { api } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { EXPORT_FORMATS, EXPORT_LISTS, type ExportList } from '../imports.ts';

/**
 * 导出: the whole list of the project (not only the page shown, whatever the filters) as .xlsx or .csv, a plain link
 * (the server streams it as an attachment, with the contacts masked, and writes the export to the audit log). Nothing
 * is shown to a user without the list's permission.
 */
export function ExportMenu({ projectId, list }: { projectId: number | undefined; list: ExportList }) {
  const { can } = useAuth();
  const def = EXPORT_LISTS.find((l) => l.list === list);
  if (!def || !can(def.permission)) return null;
  return (
    <Dropdown
      disabled={projectId === undefined} trigger={['click']}
      menu={{
        items: EXPORT_FORMATS.map((f) => ({
          key: f.format,
          label: projectId === undefined ? f.label : (
            <a href={api.exportUrl(projectId, list, f.format)} download data-testid="export-link" data-list={list} data-format={f.format}>{f.label}</a>
          ),
        })),
      }}
    >
      <Button icon={<DownloadOutlined />} title={`导出全部${def.label}`} data-testid={`export-${list}`}>导出 <DownOutlined /></Button>
    </Dropdown>
  );
}
