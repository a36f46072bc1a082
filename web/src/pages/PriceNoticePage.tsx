import { Alert, Button, DatePicker, Empty, Skeleton, Space, Typography } from 'antd';
import { DownloadOutlined, PrinterOutlined, SettingOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type PriceNotice } from '../api.ts';
import { todayLocalDate } from '../format.ts';
import { useApi, withParams, validDay } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const DAY = 'YYYY-MM-DD';

/**
 * The sheet is A4 on screen and on paper. In print the console frame (menu, header, the toolbar of this page) is hidden
 * and the sheet fills the page inside the @page margins.
 */
const CSS = `
.notice-preview { background: #f0f2f5; padding: 24px; overflow: auto; border-radius: 8px; }
.notice-sheet { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 0 auto; padding: 16mm 15mm; background: #fff; color: #000;
  box-shadow: 0 2px 12px rgba(0, 0, 0, 0.12); font-size: 10.5pt; line-height: 1.6; }
.notice-sheet .notice-company { text-align: center; font-size: 13pt; }
.notice-sheet h1 { text-align: center; font-size: 22pt; margin: 4px 0 10px; letter-spacing: 4px; }
.notice-sheet .notice-head { display: flex; justify-content: space-between; border-bottom: 2px solid #000; padding-bottom: 4px; margin-bottom: 8px; }
.notice-sheet h2 { font-size: 12pt; margin: 12px 0 4px; }
.notice-sheet p { margin: 0 0 4px; }
.notice-sheet table { width: 100%; border-collapse: collapse; font-size: 9pt; }
.notice-sheet th, .notice-sheet td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; text-align: left; }
.notice-sheet th { background: #eee; white-space: nowrap; }
.notice-sheet .notice-hotline { font-size: 14pt; font-weight: 600; margin-top: 14px; }
.notice-sheet .notice-sign { text-align: right; margin-top: 16px; }
@page { size: A4 portrait; margin: 12mm; }
@media print {
  .app-chrome, .no-print, .ant-message, .ant-notification, .ant-picker-dropdown { display: none !important; }
  .ant-layout { background: #fff !important; min-height: 0 !important; }
  .app-content { margin: 0 !important; }
  .app-content-inner { padding: 0 !important; min-height: 0 !important; border-radius: 0 !important; }
  .notice-preview { background: none; padding: 0; overflow: visible; }
  .notice-sheet { width: auto; min-height: 0; padding: 0; margin: 0; box-shadow: none; }
  .notice-sheet th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .notice-sheet tr { break-inside: avoid; }
}
`;

/**
 * 明码标价公示: the notice generated from the billing configuration (R24) for a project on a date, as an A4 sheet for
 * the notice board. 打印 prints just the sheet; the PDF is the same notice made by the server. What the configuration
 * still lacks is listed above the sheet (never printed).
 */
export default function PriceNoticePage() {
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const on = validDay(params.get('on')) ?? todayLocalDate();
  const notice = useApi(projectId === undefined ? null : () => api.priceNotice(projectId, on), [projectId, on]);
  const n = notice.data;

  return (
    <div data-testid="price-notice-page">
      <style>{CSS}</style>
      <div className="no-print">
        <Typography.Title level={4} style={{ marginTop: 0 }}>明码标价公示</Typography.Title>
        <Space wrap style={{ marginBottom: 16 }}>
          <span>项目：</span>
          <ProjectPicker value={project} />
          <span>公示日期：</span>
          <span data-testid="price-notice-date">
            <DatePicker
              allowClear={false}
              value={dayjs(on)}
              format={DAY}
              onChange={(d) => setParams(withParams(params, { on: d ? d.format(DAY) : undefined }))}
            />
          </span>
          <Button type="primary" icon={<PrinterOutlined />} disabled={!n} onClick={() => window.print()} data-testid="price-notice-print">打印</Button>
          {projectId !== undefined && (
            <Button icon={<DownloadOutlined />} href={api.priceNoticePdfUrl(projectId, on)} data-testid="price-notice-pdf">下载 PDF</Button>
          )}
          {projectId !== undefined && (
            <Link to={`/billing/settings?projectId=${projectId}`}><Button icon={<SettingOutlined />}>收费设置</Button></Link>
          )}
        </Space>
        {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
        {notice.error && <Alert type="error" showIcon title={notice.error} style={{ marginBottom: 16 }} />}
        {n && n.gaps.length > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title="公示信息尚不完整（R24），请先在收费设置中补全："
            description={<ul style={{ margin: 0, paddingLeft: 20 }}>{n.gaps.map((g) => <li key={g}>{g}</li>)}</ul>}
            data-testid="price-notice-gaps"
          />
        )}
      </div>
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : !n ? (
        notice.error ? null : <Skeleton active />
      ) : (
        <div className="notice-preview">
          <NoticeSheet n={n} />
        </div>
      )}
    </div>
  );
}

function NoticeSheet({ n }: { n: PriceNotice }) {
  return (
    <article className="notice-sheet" data-testid="price-notice-sheet">
      <div className="notice-company">{n.company}</div>
      <h1>{n.title}</h1>
      <div className="notice-head">
        <span>项目：{n.project}（{n.address}）</span>
        <span>公示日期：{n.date}</span>
      </div>

      <h2>一、服务内容与服务标准</h2>
      <p data-testid="price-notice-service">{n.serviceContent ?? '（尚未登记服务内容与服务等级）'}</p>

      <h2>二、收费项目与收费标准</h2>
      <table data-testid="price-notice-lines">
        <thead>
          <tr><th>收费项目</th><th>收费对象</th><th>计费方式</th><th>收费标准</th><th>价格管理形式</th><th>收费依据</th><th>执行日期</th></tr>
        </thead>
        <tbody>
          {n.lines.length === 0 && <tr><td colSpan={7}>该日没有执行中的收费标准</td></tr>}
          {n.lines.map((l, i) => (
            <tr key={i} data-testid="price-notice-line">
              <td>{l.item}{l.category === '代收' ? '（代收）' : ''}</td>
              <td>{l.object}</td>
              <td>{l.method}</td>
              <td>
                {l.guideBase ? (
                  <>
                    实际执行 {l.standard}
                    <br />基准价 {l.guideBase}
                    <br />浮动幅度 {l.guideFloat}
                  </>
                ) : l.standard}
              </td>
              <td>{l.priceForm}</td>
              <td>{l.basis ?? '（未登记）'}</td>
              <td>{l.effectiveFrom} 起</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>三、计费方式与缴费</h2>
      {n.billing ? (
        <>
          <p>计费周期：{n.billing.cycle}；缴费截止日：每期首月 {n.billing.dueDay} 日。</p>
          <p>计费起始时间：{n.billing.startsAt}。</p>
          <p>{n.billing.lateFee}。</p>
        </>
      ) : <p>（尚未登记合同条款）</p>}

      <h2>四、说明</h2>
      <p>价格管理形式：{n.priceForm}。</p>
      <p>收费依据：{n.basis}；各项目的收费依据见上表。</p>
      <p data-testid="price-notice-on-behalf">{n.onBehalf}</p>
      <p style={{ fontSize: '9pt' }}>本公示由收费系统根据现行收费配置生成，与实际计费一致；收费标准调整的，至少提前一个月公示（R25）。</p>

      <div className="notice-hotline" data-testid="price-notice-hotline">价格举报电话：{n.hotline}</div>
      <p>{n.footer}</p>
      <div className="notice-sign">
        <div>{n.company}</div>
        <div>{n.date}</div>
      </div>
    </article>
  );
}
