// The worker thread of server/db/sqlite-writer.ts: one better-sqlite3 connection to the database file, doing what the
// other thread asks in the order asked. Plain JavaScript, so that it starts without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const db = new SQLite(workerData.file, { fileMustExist: true });
for (const p of workerData.pragmas) db.pragma(p);
const inserts = new Map();

function insert(table, columns, rows) {
  const key = `${table}(${columns.join(',')})`;
  let st = inserts.get(key);
  if (!st) {
    st = db.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
    inserts.set(key, st);
  }
  for (const r of rows) st.run(r);
}

function query(text, params) {
  const st = db.prepare(text);
  if (st.reader) return { rows: st.all(params) };
  const { changes, lastInsertRowid } = st.run(params);
  return { rows: [], changes, lastInsertRowid: Number(lastInsertRowid) };
}

parentPort.on('message', (m) => {
  if (m.op === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const result = m.op === 'insert' ? (insert(m.table, m.columns, m.rows), null) : query(m.sql, m.params);
    parentPort.postMessage({ id: m.id, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: { message: e.message, code: e.code } });
  }
});
