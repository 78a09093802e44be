#!/usr/bin/env python3
"""Flash-sale benchmark: 2,000 students check out the same product (stock 100) at once.

Release build, SQLite, over HTTP. Expects exactly 100 orders and stock 0 afterwards.
Usage: python3 benches/flash_sale.py [--buyers 2000] [--stock 100]
"""
import argparse, http.client, os, re, shutil, sqlite3, subprocess, sys, tempfile, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument("--buyers", type=int, default=2000)
ap.add_argument("--stock", type=int, default=100)
ap.add_argument("--port", type=int, default=18090)
args = ap.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "target", "release", "campus")
data = tempfile.mkdtemp(prefix="campus-flash-")
db = os.path.join(data, "campus.db")
env = dict(os.environ, CAMPUS_DATA_DIR=data, CAMPUS_BIND=f"127.0.0.1:{args.port}", RUST_LOG="warn")
subprocess.run([binary, "seed-demo"], env=env, check=True, stdout=subprocess.DEVNULL)

con = sqlite3.connect(db)
(hash_,) = con.execute("SELECT secret_hash FROM user_auth WHERE auth_key='student'").fetchone()
now = "2026-11-25 00:00:00"
for i in range(args.buyers):
    cur = con.execute("INSERT INTO users (nickname, verified, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?)", (f"抢购{i}", now, now))
    uid = cur.lastrowid
    con.execute("INSERT INTO user_roles (user_id, role) VALUES (?, 'student')", (uid,))
    con.execute("INSERT INTO user_auth (user_id, auth_type, auth_key, secret_hash, created_at) VALUES (?, 'password', ?, ?, ?)", (uid, f"buyer{i}", hash_, now))
(sku_id,) = con.execute("SELECT s.id FROM product_skus s JOIN products p ON p.id = s.product_id WHERE p.name LIKE '斯伯丁%'").fetchone()
con.execute("UPDATE product_skus SET stock = ? WHERE id = ?", (args.stock, sku_id))
con.commit()
con.close()

server = subprocess.Popen([binary], env=env)
try:
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2); c.request("GET", "/health"); c.getresponse().read(); break
        except OSError:
            time.sleep(0.1)

    def request(cookie, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        text = r.read().decode()
        set_cookie = r.getheader("Set-Cookie")
        if set_cookie:
            cookie = set_cookie.split(";")[0]
        return r.status, text, cookie

    def token(html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def prepare(i):
        _, page, cookie = request(None, "GET", "/login")
        status, _, cookie = request(cookie, "POST", "/login", {"username": f"buyer{i}", "password": "campus2026", "csrf_token": token(page)})
        assert status == 303, status
        _, page, cookie = request(cookie, "GET", f"/me")
        status, _, cookie = request(cookie, "POST", "/mall/cart", {"sku_id": sku_id, "quantity": 1, "csrf_token": token(page)})
        assert status == 303, status
        _, page, cookie = request(cookie, "GET", "/mall/checkout")
        key = re.search(r'name="checkout_key" value="([^"]+)"', page).group(1)
        return cookie, token(page), key

    t0 = time.time()
    with ThreadPoolExecutor(32) as pool:
        ready = list(pool.map(prepare, range(args.buyers)))
    print(f"prepared {len(ready)} signed-in buyers with a cart in {time.time() - t0:.1f}s")

    gate = threading.Barrier(min(args.buyers, 400))
    def buy(entry):
        cookie, csrf, key = entry
        try:
            gate.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        status, _, _ = request(cookie, "POST", "/mall/checkout", {"csrf_token": csrf, "checkout_key": key, "delivery": "pickup", "pickup_point": 1})
        return status

    t0 = time.time()
    with ThreadPoolExecutor(400) as pool:
        statuses = list(pool.map(buy, ready))
    elapsed = time.time() - t0
finally:
    server.terminate(); server.wait()

con = sqlite3.connect(db)
(stock,) = con.execute("SELECT stock FROM product_skus WHERE id = ?", (sku_id,)).fetchone()
(orders,) = con.execute("SELECT COUNT(DISTINCT order_id) FROM order_items WHERE sku_id = ?", (sku_id,)).fetchone()
(pending,) = con.execute("SELECT COUNT(*) FROM orders WHERE status = 'pending'").fetchone()
con.close()
shutil.rmtree(data)
won = statuses.count(303); lost = statuses.count(409); other = len(statuses) - won - lost
print(f"{len(statuses)} concurrent checkouts in {elapsed:.2f}s ({len(statuses) / elapsed:.0f}/s): {won} orders, {lost} sold out, {other} other")
print(f"orders for the product: {orders}, stock left: {stock}, pending (payable) orders: {pending}")
ok = won == args.stock and orders == args.stock and stock == 0 and other == 0
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
