import { sql, type Expression, type SqlBool } from 'kysely';
import type { Scope } from '../../core/access/roles.ts';

/**
 * A data scope as a WHERE expression over a table that has a project column and, optionally, a building column.
 * Users narrowed to buildings see no project-level rows (no building column) of that project.
 */
export function scopeWhere(scope: Scope, cols: { project: string; building?: string }): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  const project = sql.ref(cols.project);
  const whole: number[] = [];
  const parts: Expression<SqlBool>[] = [];
  for (const [projectId, buildings] of scope.projects) {
    if (buildings === 'all') whole.push(projectId);
    else if (cols.building && buildings.size > 0) {
      parts.push(sql<SqlBool>`(${project} = ${projectId} and ${sql.ref(cols.building)} in (${sql.join([...buildings])}))`);
    }
  }
  if (whole.length > 0) parts.unshift(sql<SqlBool>`${project} in (${sql.join(whole)})`);
  return parts.length > 0 ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`1 = 0`;
}
