// SQLite compiled to WebAssembly (npm sql.js) doing database work for about
// SECONDS seconds: bulk inserts with prepared statements in transactions,
// index builds, joins, GROUP BY/ORDER BY aggregates, a recursive CTE,
// updates, deletes and VACUUM, on a fresh in-memory database per round.
// usage: NODE_PATH=WORK/node_modules node --perf-basic-prof --interpreted-frames-native-stack sqljs.js [SECONDS]
'use strict';
const initSqlJs = require('sql.js');
const seconds = Number(process.argv[2] || 8);

let seed = 42;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const cities = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Bern', 'Quito', 'Riga', 'Accra', 'Hanoi', 'Perth'];

function round(SQL, n) {
	const db = new SQL.Database();
	db.run(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, city TEXT, score REAL);
	        CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT, price REAL, category INTEGER);
	        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, product INTEGER, qty INTEGER, day INTEGER);`);
	db.run('BEGIN');
	let st = db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?)');
	for (let i = 0; i < n / 10; i++) st.run([i, 'customer-' + i + '-' + rnd(1e6), cities[rnd(cities.length)], rnd(10000) / 100]);
	st.free();
	st = db.prepare('INSERT INTO products VALUES (?, ?, ?, ?)');
	for (let i = 0; i < n / 20; i++) st.run([i, 'product ' + rnd(1e9).toString(36), rnd(100000) / 100, rnd(40)]);
	st.free();
	st = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
	for (let i = 0; i < n; i++) st.run([i, rnd(n / 10), rnd(n / 20), 1 + rnd(9), rnd(365)]);
	st.free();
	db.run('COMMIT');
	db.run(`CREATE INDEX orders_customer ON orders(customer);
	        CREATE INDEX orders_product_day ON orders(product, day);
	        CREATE INDEX customers_city ON customers(city, score);`);
	let rows = 0;
	const queries = [
		`SELECT c.city, COUNT(*), SUM(o.qty * p.price), AVG(p.price) FROM orders o
		   JOIN customers c ON c.id = o.customer JOIN products p ON p.id = o.product
		  GROUP BY c.city ORDER BY 3 DESC`,
		`SELECT p.category, o.day / 30 AS month, SUM(o.qty) FROM orders o JOIN products p ON p.id = o.product
		  WHERE o.day BETWEEN 30 AND 300 GROUP BY p.category, month HAVING SUM(o.qty) > 10 ORDER BY 1, 2`,
		`SELECT c.name, COUNT(o.id) AS n FROM customers c LEFT JOIN orders o ON o.customer = c.id
		  GROUP BY c.id ORDER BY n DESC, c.name LIMIT 50`,
		`WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < 20000)
		 SELECT COUNT(*), SUM(x % 7), MAX(length(printf('%08d-%s', x, hex(x)))) FROM seq`,
		`SELECT city, score, name FROM customers WHERE score > 50 ORDER BY city, score DESC LIMIT 200`,
		`SELECT substr(title, 9, 2) AS k, COUNT(*), group_concat(id, ',') FROM products GROUP BY k ORDER BY 2 DESC LIMIT 20`,
	];
	for (const q of queries)
		for (const r of db.exec(q)) rows += r.values.length;
	db.run('UPDATE orders SET qty = qty + 1 WHERE day % 7 = 0');
	db.run('DELETE FROM orders WHERE qty > 9');
	db.run('VACUUM');
	rows += db.exec('SELECT COUNT(*) FROM orders')[0].values[0][0];
	db.close();
	return rows;
}

initSqlJs().then((SQL) => {
	const end = Date.now() + seconds * 1000;
	let rounds = 0, rows = 0;
	do {
		rows += round(SQL, 50000);
		rounds++;
	} while (Date.now() < end);
	console.log(`sqljs: ${rounds} rounds, ${rows} rows`);
});
