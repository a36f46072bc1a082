import { useEffect } from 'react';
import { Select } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { api, type Project } from '../api.ts';
import { useApi, intParam } from '../hooks.ts';

export interface ProjectParam {
  projectId: number | undefined;
  projects: Project[];
  loading: boolean;
  error: string | undefined;
  setProjectId: (id: number) => void;
}

/**
 * The project a page works on, kept in the address (?projectId=…) so that a reload or a link keeps it. With exactly one
 * project there is nothing to choose: it is selected.
 */
export function useProjectParam(): ProjectParam {
  const [params, setParams] = useSearchParams();
  const projectId = intParam(params.get('projectId'));
  const projects = useApi(() => api.projects(), []);
  const items = projects.data?.items;

  useEffect(() => {
    if (projectId === undefined && items?.length === 1 && items[0]) {
      const next = new URLSearchParams(params);
      next.set('projectId', String(items[0].id));
      setParams(next, { replace: true });
    }
  }, [projectId, items, params, setParams]);

  return {
    projectId,
    projects: items ?? [],
    loading: projects.loading,
    error: projects.error,
    setProjectId: (id) => {
      const next = new URLSearchParams(params);
      next.set('projectId', String(id));
      setParams(next);
    },
  };
}

export function ProjectPicker({ value }: { value: ProjectParam }) {
  return (
    <Select<number>
      style={{ minWidth: 260 }}
      placeholder="请选择项目"
      loading={value.loading}
      value={value.projectId}
      onChange={value.setProjectId}
      options={value.projects.map((p) => ({ value: p.id, label: p.name }))}
      data-testid="project-select"
      showSearch={{ optionFilterProp: 'label' }}
    />
  );
}
