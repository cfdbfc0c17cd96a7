from django.contrib.staticfiles import finders
from django.urls import reverse


def test_pages_use_the_vendored_stylesheet_and_nothing_from_elsewhere(client, reader, measure):
    client.force_login(reader)

    content = client.get(reverse("dashboard")).content.decode()

    assert '<link rel="stylesheet" href="/static/positions/site.css">' in content
    assert "://" not in content  # no CDN, no external resource
    assert '<a class="skip-link" href="#main">' in content
    assert '<main id="main"' in content
    assert '<html lang="en">' in content


def test_the_stylesheet_gives_a_visible_focus_style():
    path = finders.find("positions/site.css")

    assert path is not None
    with open(path, encoding="utf-8") as css:
        assert ":focus-visible" in css.read()


def test_a_refused_page_says_so_in_the_layout(client, reader):
    client.force_login(reader)

    response = client.get(reverse("my-state"))

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
