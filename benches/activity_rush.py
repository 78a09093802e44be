#!/usr/bin/env python3
"""Activity registration rush: N students register at once for an activity with S seats.

Runs against a server already started by benches/activity.sh (which made the students
rush0..rushN-1, password campus2026). The admin publishes the activity over HTTP, every student
signs in and opens the form first, then all post at once. Expects exactly S registered, the rest
waitlisted in arrival order (registration id order = the order the server took them, and each
waiting student sees the matching 候补第 k 位), no error responses. Then the first C registered
cancel at once: exactly the first C in line move up.
Usage: python3 benches/activity_rush.py --port P --sql "sqlite3 DB" [--students 500] [--seats 100] [--cancels 10]
Prints the activity id on the last line as `activity=<id>` for the wrk runs that follow.
"""
import argparse, datetime, http.client, re, subprocess, sys, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--students", type=int, default=500)
ap.add_argument("--seats", type=int, default=100)
ap.add_argument("--cancels", type=int, default=10)
ap.add_argument("--sql", required=True, help="a command that runs SQL from stdin and prints the answer (sqlite3 DB, psql -At URL)")
args = ap.parse_args()


def request(cookie, method, path, body=None, content_type="application/x-www-form-urlencoded"):
    c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = content_type
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    set_cookie = r.getheader("Set-Cookie")
    if set_cookie:
        cookie = set_cookie.split(";")[0]
    return r.status, text, cookie, r.getheader("Location")


def token(html):
    # A form's hidden field, or the layout's htmx header (pages whose only form is multipart).
    m = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'"X-CSRF-Token": "([^"]+)"', html)
    return m.group(1)


def sign_in(username):
    _, page, cookie, _ = request(None, "GET", "/login")
    status, _, cookie, _ = request(cookie, "POST", "/login", {"username": username, "password": "campus2026", "csrf_token": token(page)})
    assert status == 303, f"login {username}: {status}"
    return cookie


def publish(admin):
    _, page, admin, _ = request(admin, "GET", "/activities/new")
    shanghai = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
    at = lambda hours: (shanghai + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
    fields = {
        "title": "压测讲座：五百人抢一百座", "category": "lecture", "host": "压测社", "place": "图书馆报告厅",
        "starts_at": at(72), "ends_at": at(74), "deadline": at(48), "capacity": str(args.seats),
        "description": "报名压力测试：名额有限，先到先得，其余进入候补。", "questions": "",
    }
    boundary = "----campusBenchBoundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ) + f"--{boundary}--\r\n".encode()
    status, text, _, location = request(admin, "POST", f"/activities/new?csrf_token={token(page)}", body, f"multipart/form-data; boundary={boundary}")
    assert status == 303, f"publish: {status} {text[:300]}"
    return int(location.rsplit("/", 1)[1])


def main():
    admin = sign_in("admin")
    activity = publish(admin)

    def prepare(i):
        cookie = sign_in(f"rush{i}")
        _, page, cookie, _ = request(cookie, "GET", f"/activities/{activity}/register")
        return i, cookie, token(page)

    # Four sign-ins at a time: all come from this one address, whose login limiter allows five
    # attempts in flight (a success gives its attempt back).
    t0 = time.time()
    with ThreadPoolExecutor(4) as pool:
        ready = list(pool.map(prepare, range(args.students)))
    print(f"prepared {len(ready)} signed-in students with the form open in {time.time() - t0:.1f}s")

    gate = threading.Barrier(args.students)

    def register(entry):
        i, cookie, csrf = entry
        try:
            gate.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        status, _, _, location = request(cookie, "POST", f"/activities/{activity}/register",
                                         {"csrf_token": csrf, "name": f"压测同学{i}", "student_no": f"2026{i:06d}", "phone": "13800138000"})
        return i, status, location or ""

    t0 = time.time()
    with ThreadPoolExecutor(args.students) as pool:
        results = list(pool.map(register, ready))
    elapsed = time.time() - t0
    seated = [i for i, s, loc in results if s == 303 and loc.endswith("/ticket")]
    waiting = [i for i, s, loc in results if s == 303 and not loc.endswith("/ticket")]
    errors = [(i, s) for i, s, _ in results if s != 303]
    print(f"{len(results)} simultaneous registrations in {elapsed:.2f}s ({len(results) / elapsed:.0f}/s): "
          f"{len(seated)} registered, {len(waiting)} waitlisted, {len(errors)} error responses {errors[:5]}")

    # Arrival order: each waiting student's place in line, as their page shows it, is their rank
    # among the waiting by the order the server took them (their registration ids; see the list).
    cookies = {i: c for i, c, _ in ready}

    def position(i):
        _, page, _, _ = request(cookies[i], "GET", f"/activities/{activity}")
        m = re.search(r"候补第 (\d+) 位", page)
        return i, int(m.group(1)) if m else None

    with ThreadPoolExecutor(16) as pool:
        places = dict(pool.map(position, waiting))
    _, roster, _, _ = request(admin, "GET", f"/activities/{activity}/registrants")
    order = list(dict.fromkeys(int(n) for n in re.findall(r"压测同学(\d+)", roster)))
    line = [i for i in order if i in places]
    in_order = sorted(places.values()) == list(range(1, len(waiting) + 1)) and all(places[i] == k + 1 for k, i in enumerate(line))
    # Nobody the server took later holds a seat ahead of anyone waiting.
    query = (f"SELECT (SELECT MAX(id) FROM activity_registrations WHERE activity_id = {activity} AND status = 'registered')"
             f" < (SELECT MIN(id) FROM activity_registrations WHERE activity_id = {activity} AND status = 'waitlisted');")
    answer = subprocess.run(args.sql, shell=True, input=query, capture_output=True, text=True).stdout.strip()
    seats_first = answer in ("1", "t")
    in_order = in_order and seats_first
    print(f"waitlist positions 1..{len(waiting)} in arrival order, every seat taken before the first waiting: {'yes' if in_order else 'NO'}")

    # The first C seated cancel at once: the first C in line move up, nobody else.
    first = line[: args.cancels]

    def cancel(i):
        _, page, _, _ = request(cookies[i], "GET", f"/activities/{activity}")
        return request(cookies[i], "POST", f"/activities/{activity}/cancel", {"csrf_token": token(page)})[0]

    with ThreadPoolExecutor(args.cancels) as pool:
        cancelled = list(pool.map(cancel, seated[: args.cancels]))
    promoted = [i for i in first if position(i)[1] is None]
    still = [i for i in line[args.cancels:] if position(i)[1] is not None]
    print(f"{args.cancels} simultaneous cancellations ({cancelled.count(303)} ok): the first {len(promoted)} in line promoted, "
          f"{len(line) - args.cancels - len(still)} others moved wrongly")

    ok = (len(seated) == args.seats and len(waiting) == args.students - args.seats and not errors and in_order
          and cancelled.count(303) == args.cancels and len(promoted) == args.cancels and len(still) == len(line) - args.cancels)
    print("PASS" if ok else "FAIL")
    print(f"activity={activity}")
    return 0 if ok else 1


sys.exit(main())
