import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learningCurves } from './report.js';
import { runGfn } from './test-support/gfn-process.js';

const gfn = (...args: string[]) => runGfn(process.cwd(), args);

/** Debian's chromium (or another Chromium build on the PATH). */
function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  return null;
}
const CHROMIUM = findChromium();
// Under CI (.ci/run installs chromium) a missing browser fails the check instead of skipping it.
const withChromium = CHROMIUM || process.env['CI'] ? it : it.skip;
if (!CHROMIUM)
  console.warn('chromium not found (apt install chromium): the browser check is skipped');

let dir: string;
let run: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-report-'));
  run = join(dir, 'run');
  const t = gfn(
    ...['train', '--env', 'hypergrid', '--ndim', '2', '--height', '8', '--iterations', '60'],
    ...['--batch-size', '32', '--eval-every', '20', '--eval-samples', '0', '--quiet', '--out', run],
  );
  expect(t.code).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIGURES = ['loss', 'logz', 'l1', 'modes', 'distribution'];

describe('gfn report', () => {
  it('writes a self-contained HTML page and one SVG per chart', () => {
    const r = gfn('report', run);
    expect(r.code).toBe(0);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    for (const f of FIGURES) {
      expect(html).toContain(`<figure id="${f}">`);
      const svg = readFileSync(join(run, 'report', `${f}.svg`), 'utf8');
      expect(svg).toMatch(/^<\?xml/);
      expect(svg).toMatch(f === 'distribution' ? /class="cell"/ : /class="series"/);
    }
    // 64 cells per panel: the learned distribution and the target.
    expect(
      readFileSync(join(run, 'report', 'distribution.svg'), 'utf8').match(/class="cell"/g),
    ).toHaveLength(128);
    expect(html).not.toMatch(/<script|<link|src="http/); // nothing to fetch
  });

  it('rejects what is not a run directory', () => {
    const r = gfn('report', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a run directory');
  });

  it('draws curves from the metrics log: top-k and modes for sample metrics', () => {
    const records = [
      { kind: 'step', iteration: 1, loss: 4, logz: 0 },
      { kind: 'step', iteration: 2, loss: 2, logz: 0.5 },
      {
        kind: 'eval',
        iteration: 2,
        top10_mean: 0.9,
        top100_mean: 0.8,
        top1000_mean: 0.7,
        modes: 3,
      },
    ];
    expect(learningCurves(records).map((f) => f.file)).toEqual([
      'loss.svg',
      'logz.svg',
      'top-k.svg',
      'modes.svg',
    ]);
  });

  withChromium('opens in headless Chromium with no console message and shows its charts', () => {
    const page = `file://${join(run, 'report.html')}`;
    const shot = join(dir, 'report.png');
    if (!CHROMIUM) throw new Error('chromium is not installed (.ci/run installs it with apt-get)');
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--enable-logging=stderr',
      '--v=0',
    ];
    const dom = spawnSync(CHROMIUM, [...flags, '--dump-dom', page], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(dom.status).toBe(0);
    expect(dom.stderr).not.toMatch(/:CONSOLE[:(]/);
    // The browser parsed every chart into the page.
    expect(dom.stdout.match(/<figure id="/g)).toHaveLength(FIGURES.length);
    expect(dom.stdout.match(/<polyline class="series"/g)?.length).toBeGreaterThanOrEqual(3);
    const png = spawnSync(
      CHROMIUM!,
      [...flags, '--window-size=1250,2400', `--screenshot=${shot}`, page],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(png.status).toBe(0);
    expect(existsSync(shot)).toBe(true);
    // A blank page compresses to a few KB; charts and heatmaps make it far larger.
    expect(statSync(shot).size).toBeGreaterThan(40_000);
  });
});
