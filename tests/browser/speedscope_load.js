// Loads a speedscope file into speedscope's built page in headless Chromium
// (playwright-core) and prints what the page shows: the profile's name in
// the toolbar, the number of profiles, and any console error or page error.
// Usage: node speedscope_load.js CHROMIUM SPEEDSCOPE_INDEX_HTML FILE
const [chromium, index, file] = process.argv.slice(2);
const { chromium: launcher } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
(async () => {
  const browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox', '--allow-file-access-from-files'] });
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + index);
  // the page's own "Browse" file input, as a user loads a file
  await page.setInputFiles('input[type=file]', file);
  let title = '';
  for (let i = 0; i < 100 && !/\(1\/\d+\)|pid/.test(title); i++) {
    await page.waitForTimeout(200);
    title = await page.evaluate(() => document.body.innerText);
  }
  const m = title.match(/[^\n]*\(pid \d+, tid \d+\)[^\n]*/);
  console.log('toolbar: ' + (m ? m[0].trim() : title.slice(0, 200).replace(/\n/g, ' | ')));
  console.log('errors: ' + (errors.length ? errors.join(' / ') : 'none'));
  await browser.close();
  process.exit(errors.length || !m ? 1 : 0);
})().catch((e) => { console.log('FAIL: ' + e); process.exit(1); });
