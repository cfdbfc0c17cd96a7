from django.urls import reverse

from tests.conftest import PASSWORD


def test_the_login_page_has_a_labelled_form(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<label for="id_username">' in content
    assert '<label for="id_password">' in content
    assert 'href="#main"' in content  # the skip link


def test_a_delegate_logs_in_and_lands_on_their_state(client, delegate_fra):
    response = client.post(
        reverse("login"), {"username": "delegate-fra", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("my-state")
    assert response.wsgi_request.user == delegate_fra
    assert "delegate-fra" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, delegate_fra):
    response = client.post(reverse("login"), {"username": "delegate-fra", "password": "wrong"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_out_with_a_clear_page(client, delegate_fra, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "delegate-fra", "password": "wrong"})

    # Even the right password is refused now.
    response = client.post(reverse("login"), {"username": "delegate-fra", "password": PASSWORD})

    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed attempts" in content
    assert "Try again in 15 minutes." in content
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post_and_ends_the_session(client, delegate_fra):
    client.force_login(delegate_fra)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_every_page_shows_the_user_their_role_and_a_logout_button(client, delegate_fra):
    client.force_login(delegate_fra)

    content = client.get(reverse("my-state")).content.decode()

    assert "delegate-fra" in content
    assert "(Delegate)" in content
    assert f'<form method="post" action="{reverse("logout")}"' in content
