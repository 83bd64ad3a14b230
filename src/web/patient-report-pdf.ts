// The accounting of disclosures as a PDF a privacy officer can hand over:
// the same summary and rows as the HTML document, drawn with pdfkit and
// written as the rows are read. It names the patient by Loupe's id only,
// never by identifier or name.
import { createRequire } from 'node:module';
import type { DisclosureJson, ReportHead } from '../core/audit/disclosure.js';

// pdfkit is CommonJS, and its types are an ambient `export =` module, which an ES module cannot default-import under this configuration.
const PDFDocument = createRequire(import.meta.url)('pdfkit') as typeof import('pdfkit');

const MARGIN = 40;
const COLUMNS = [
  // A4 less the margins is 515 points; What is wide enough for an asset id on one line.
  { title: 'Date (UTC)', width: 70 },
  { title: 'Who', width: 115 },
  { title: 'Role', width: 55 },
  { title: 'What', width: 175 },
  { title: 'Purpose', width: 50 },
  { title: 'Outcome', width: 50 },
] as const;

const day = (d: Date) => d.toISOString().slice(0, 10);

function cells(r: DisclosureJson): string[] {
  const at = `${r.at.slice(0, 10)} ${r.at.slice(11, 16)}`;
  const who = r.who.name ? `${r.who.name}\n${r.who.id ?? ''}` : (r.who.id ?? 'unknown');
  const what = r.what.asset ? `${r.what.kind === 'photo' ? 'Photo' : r.what.modality ? `DICOM · ${r.what.modality}` : 'DICOM'}\n${r.what.asset}` : 'The list of the patient’s images';
  return [at, who, r.who.role, what, r.purpose, r.outcome];
}

/** Writes the PDF to `out` and resolves once it is all written. */
export async function writeReportPdf(out: NodeJS.WritableStream, head: ReportHead, rows: AsyncIterable<DisclosureJson>, producedAt: Date): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: 'Accounting of disclosures', Creator: 'Loupe' } });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  doc.pipe(out);
  doc.font('Helvetica-Bold').fontSize(16).text('Accounting of disclosures');
  doc.moveDown(0.5).font('Helvetica').fontSize(9);
  doc.text(`Every access to the patient’s images recorded by Loupe from ${day(head.since)} to ${day(head.until)}, oldest first. Produced ${producedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`);
  doc.text(`Patient (Loupe’s id${head.patientIds.length > 1 ? 's, one per workspace' : ''}): ${head.patientIds.join(', ')}`);
  const c = head.counts;
  doc.text(`${c.total} access${c.total === 1 ? '' : 'es'}: ${c.allowed} allowed, ${c.refused} refused.`);
  doc.moveDown();
  const header = () => row(COLUMNS.map((col) => col.title), true);
  const row = (values: string[], bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    const height = Math.max(...values.map((v, i) => doc.heightOfString(v, { width: COLUMNS[i]!.width - 4 }))) + 6;
    if (doc.y + height > doc.page.height - MARGIN) {
      doc.addPage();
      if (!bold) header();
    }
    const top = doc.y;
    let x = MARGIN;
    values.forEach((v, i) => {
      doc.text(v, x + 2, top + 3, { width: COLUMNS[i]!.width - 4 });
      x += COLUMNS[i]!.width;
    });
    doc.moveTo(MARGIN, top + height).lineTo(x, top + height).lineWidth(0.3).stroke('#999999');
    doc.x = MARGIN;
    doc.y = top + height;
  };
  header();
  for await (const r of rows) row(cells(r));
  doc.end();
  await done;
}
