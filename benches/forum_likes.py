#!/usr/bin/env python3
"""Forum likes benchmark: 1,000 students press "like" on one post at once, then all press again.

Release build, SQLite, over HTTP. Expects the post's counter to equal its like rows after each
round: the post's own likes plus 1,000 after the first, its own again after the second.
Usage: python3 benches/forum_likes.py [--users 1000]
"""
import argparse, http.client, os, re, shutil, sqlite3, subprocess, sys, tempfile, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument("--users", type=int, default=1000)
ap.add_argument("--port", type=int, default=18091)
args = ap.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "target", "release", "campus")
data = tempfile.mkdtemp(prefix="campus-likes-")
db = os.path.join(data, "campus.db")
env = dict(os.environ, CAMPUS_DATA_DIR=data, CAMPUS_BIND=f"127.0.0.1:{args.port}", RUST_LOG="warn")
subprocess.run([binary, "seed-demo"], env=env, check=True, stdout=subprocess.DEVNULL)

con = sqlite3.connect(db)
(hash_,) = con.execute("SELECT secret_hash FROM user_auth WHERE auth_key='student'").fetchone()
now = "2026-11-25 00:00:00"
for i in range(args.users):
    cur = con.execute("INSERT INTO users (nickname, verified, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?)", (f"点赞{i}", now, now))
    uid = cur.lastrowid
    con.execute("INSERT INTO user_roles (user_id, role) VALUES (?, 'student')", (uid,))
    con.execute("INSERT INTO user_auth (user_id, auth_type, auth_key, secret_hash, created_at) VALUES (?, 'password', ?, ?, ?)", (uid, f"liker{i}", hash_, now))
# The demo's least-liked post; its own likes (from demo users) stay, ours come on top.
(post, base) = con.execute("SELECT id, like_count FROM forum_posts WHERE status = 'visible' ORDER BY like_count, id LIMIT 1").fetchone()
con.commit()
con.close()

def counts():
    c = sqlite3.connect(db)
    (counter,) = c.execute("SELECT like_count FROM forum_posts WHERE id = ?", (post,)).fetchone()
    (rows,) = c.execute("SELECT COUNT(*) FROM forum_likes WHERE target_kind = 'post' AND target_id = ?", (post,)).fetchone()
    c.close()
    return counter, rows

server = subprocess.Popen([binary], env=env)
ok = True
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
        # A form's hidden field, or the page's htmx headers (pages without a form).
        m = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'"X-CSRF-Token": "([^"]+)"', html)
        return m.group(1)

    def prepare(i):
        _, page, cookie = request(None, "GET", "/login")
        status, _, cookie = request(cookie, "POST", "/login", {"username": f"liker{i}", "password": "campus2026", "csrf_token": token(page)})
        assert status == 303, status
        _, page, cookie = request(cookie, "GET", "/forum")
        return cookie, token(page)

    t0 = time.time()
    # Four at a time: the login limiter counts sign-ins in progress per address.
    with ThreadPoolExecutor(4) as pool:
        ready = list(pool.map(prepare, range(args.users)))
    print(f"signed in {len(ready)} students in {time.time() - t0:.1f}s; post {post}")

    for round_no, expected in ((1, base + args.users), (2, base)):
        gate = threading.Barrier(min(args.users, 400))
        def press(entry):
            cookie, csrf = entry
            try:
                gate.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
            status, _, _ = request(cookie, "POST", f"/forum/posts/{post}/like", {"csrf_token": csrf})
            return status
        t0 = time.time()
        with ThreadPoolExecutor(400) as pool:
            statuses = list(pool.map(press, ready))
        elapsed = time.time() - t0
        counter, rows = counts()
        other = len(statuses) - statuses.count(303)
        print(f"round {round_no}: {len(statuses)} presses at once in {elapsed:.2f}s ({len(statuses) / elapsed:.0f}/s), "
              f"{other} not 303; counter {counter}, like rows {rows}, expected {expected}")
        ok = ok and counter == rows == expected and other == 0
finally:
    server.terminate(); server.wait()
shutil.rmtree(data)
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
