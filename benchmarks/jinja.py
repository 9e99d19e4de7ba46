"""Jinja2 against Django's template engine on one page: the member dashboard.

`make bench-pages` showed that rendering is a large part of a member page's CPU time.
This renders the member dashboard (`organizations/dashboard.html` on `base.html`) with
the context of a real request, once with Django's engine (the cached loader, as in
production) and once with the same two templates written for Jinja2
(`benchmarks/jinja2/`), and prints the median CPU time of each render beside the whole
request's. Only the render is compared: the view, the queries and the middleware are
the same whichever engine renders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.jinja [--slug scale] [--renders 400]
"""

import argparse
import os
import re
import statistics
import time
from pathlib import Path

from benchmarks.pages import django_setup

ROOT = Path(__file__).resolve().parent.parent
PAGE = "organizations/dashboard.html"


def cpu_ms(render, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.process_time()
        render()
        times.append(time.process_time() - started)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="scale")
    parser.add_argument("--renders", type=int, default=400)
    args = parser.parse_args()
    django_setup()
    import jinja2
    import markupsafe
    from django.core.management import call_command
    from django.template import engines
    from django.template.context import make_context
    from django.template.defaultfilters import pluralize
    from django.templatetags.static import static
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from peergroups.accounts.models import User
    from peergroups.demo.scale import logins

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off reads the manifest
    setup_test_environment()  # the test client then keeps each response's context
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(email=logins(args.slug)["member"]))
    path = f"/o/{args.slug}/"
    client.get(path)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    request = response.wsgi_request
    context = response.context
    values = (context[0] if isinstance(context, list) else context).flatten()
    values["csrf_token"] = str(values["csrf_token"])  # the same token in both renders
    # Lazy values as the Django engine resolves them (it calls callables).
    values = {k: (v() if k == "my_organizations" and callable(v) else v) for k, v in values.items()}
    values["my_organizations"] = list(values.get("my_organizations") or [])

    django_template = engines["django"].get_template(PAGE).template

    def render_django() -> str:
        return django_template.render(make_context(values, request))

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "benchmarks" / "jinja2"),
        autoescape=True,
        auto_reload=False,
    )
    environment.globals.update(url=lambda name, *a: reverse(name, args=a), static=static)
    environment.filters["pluralize"] = pluralize
    jinja_template = environment.get_template(PAGE)
    csrf_input = markupsafe.Markup(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    ).format(values["csrf_token"])

    def render_jinja() -> str:
        return jinja_template.render(**values, csrf_input=csrf_input)

    def words(html: str) -> list[str]:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        return re.sub(r"\s+", " ", html).strip().split(" ")

    same = words(render_django()) == words(render_jinja())
    if not same and os.environ.get("SHOW_DIFF"):
        import difflib

        print("\n".join(difflib.unified_diff(words(render_django()), words(render_jinja()))))

    def request_page() -> None:
        client.get(path)

    page = cpu_ms(request_page, max(40, args.renders // 10))
    django_ms = cpu_ms(render_django, args.renders)
    jinja_ms = cpu_ms(render_jinja, args.renders)
    print(f"member dashboard ({path}), {len(render_django()) / 1024:.1f} KB, median CPU ms")
    print(f"{'whole request':<30} {page:7.3f}")
    print(f"{'render, Django engine':<30} {django_ms:7.3f}")
    print(f"{'render, Jinja2':<30} {jinja_ms:7.3f}")
    print(f"the two renders give the same words: {same}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
