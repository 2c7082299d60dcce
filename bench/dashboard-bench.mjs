// The dashboard with a long history (issue 16): `serve` seeded with the demo
// loop, a plan of N governed buys (default 10,000) and a pending review;
// headless Chromium signs in and opens the plan. Prints the time until the
// plans table is interactive after a page load (token already in the tab)
// and until the plan view (figures, burn chart, first page of governed
// actions) is. The page pages through the API, never downloading the history.
//
//   node bench/dashboard-bench.mjs [--buys 10000] [--backend native]
import { chromium } from 'playwright-core';
import { startServer } from '../tests/js/lib/server-harness.mjs';
import { DASH_TOKENS, dashboardConfig, seedDashboard } from '../tests/js/lib/dashboard-seed.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const buys = Number(args.buys ?? 10000);
const running = await startServer({ backend: args.backend ?? 'native', config: dashboardConfig(), fsync: 'never' });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
try {
  let t = performance.now();
  await seedDashboard(running, { buys });
  console.log(`# seeded ${buys} governed buys in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${running.url}/`);
  await page.evaluate((token) => sessionStorage.setItem('adcp-governance-token', token), DASH_TOKENS.owner);
  const loads = [], opens = [];
  for (let run = 0; run < 5; ++run) {
    t = performance.now();
    await page.reload();
    await page.waitForSelector('#plans-table tbody tr[data-plan="history"] button');
    loads.push(performance.now() - t);
    t = performance.now();
    await page.click('#plans-table tr[data-plan="history"] button');
    await page.waitForSelector('#actions-table tbody tr td[data-field="token"]');
    await page.waitForSelector('#burn-chart canvas');
    opens.push(performance.now() - t);
  }
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`page load to interactive plans table: median ${median(loads).toFixed(0)} ms (runs: ${loads.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`open the ${buys}-buy plan (figures, burn, first 25 actions): median ${median(opens).toFixed(0)} ms (runs: ${opens.map((x) => x.toFixed(0)).join(', ')})`);
} finally {
  await browser.close();
  await running.close();
}
