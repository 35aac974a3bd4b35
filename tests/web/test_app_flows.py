"""The guide's procedures through the pages, end to end, without a browser: what each page
asks and answers, and what the database holds after (issue 12)."""

from __future__ import annotations

from tests.web.conftest import INITIAL, NEW, OTHER, Site


def test_first_connection_from_the_letter_to_the_espace_client(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        assert owner.get("/").status_code == 200
        assert owner.heading() == "Connexion"
        assert owner.follow(site.sign_in(owner)).status_code == 200
        assert owner.heading() == "Mise à jour de votre service en ligne"
        assert "Continuer" in owner.page.text
        owner.get("/mise-a-jour/e-mail")
        assert owner.heading() == "1 - E-mail de référence"
        assert "MailInBlack" in owner.page.text
        assert "pleine" in owner.page.text
        sent = owner.post(
            "/mise-a-jour/e-mail",
            {"email": "marie@example.com", "confirm_email": "marie@example.com"},
        )
        assert owner.follow(sent).status_code == 200
        assert owner.heading() == "2 - Authentification de votre E-mail"
        code = site.code("marie@example.com")
        owner.follow(owner.post("/mise-a-jour/code", {"code": code[:4] + " " + code[4:]}))
        assert owner.heading() == "3 - Mot de passe"
        shown = owner.page.text.replace("&nbsp;", " ")
        for rule in ("8 caractères minimum", "Au moins une majuscule", "Au moins un chiffre"):
            assert rule in shown
        done = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW})
        owner.follow(done)
        assert owner.heading() == "Procédure de mise à jour terminée"
        assert "Accéder à mon espace client" in owner.page.text
        owner.get("/espace")
        assert owner.heading() == "Mon espace client"
        text = owner.page.text
        assert "LEF001" in text
        assert "marie@example.com" in text
        assert "Les Tilleuls" in text
        assert "12, 14" in text
        assert "Paramètres" in text
        assert "Se déconnecter" in text
    assert site.rows("SELECT status, email FROM account") == [("active", "marie@example.com")]
    # the owner signs in with the new password from now on
    with site.visitor() as again:
        assert site.sign_in(again, password=NEW).headers["location"] == "/espace"


def test_every_refusal_is_beside_its_field_and_in_the_summary(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        owner.get("/")
        wrong = owner.post("/", {"identifiant": "LEF001", "password": "Pas-le-bon-1"})
        assert wrong.status_code == 400
        assert owner.errors() == ["Identifiant ou mot de passe incorrect."]
        assert 'id="password" name="password" type="password"' in wrong.text
        assert 'aria-describedby="password-erreur"' in wrong.text
        assert 'aria-invalid="true"' in wrong.text
        assert "<title>Erreur&nbsp;: Connexion" in wrong.text
        assert 'value="LEF001"' in wrong.text  # the identifiant is kept, never the password
        assert "Pas-le-bon-1" not in wrong.text
        empty = owner.post("/", {"identifiant": "", "password": ""})
        assert owner.errors() == ["Saisissez votre identifiant."]
        assert 'href="#identifiant"' in empty.text
        site.sign_in(owner)
        owner.get("/mise-a-jour/e-mail")
        typo = owner.post(
            "/mise-a-jour/e-mail", {"email": "marie@gmial.com", "confirm_email": "marie@gmial.com"}
        )
        assert owner.errors() == [
            "L'adresse marie@gmial.com contient peut-être une faute de frappe : vouliez-vous "
            "dire marie@gmail.com ?"
        ]
        assert "--accept-domain" not in typo.text  # the staff's hint never reaches a page
        assert 'name="accept_domain"' in typo.text
        kept = owner.post(
            "/mise-a-jour/e-mail",
            {
                "email": "marie@gmial.com",
                "confirm_email": "marie@gmial.com",
                "accept_domain": "oui",
            },
        )
        assert kept.headers["location"] == "/mise-a-jour/code"


def test_the_policy_names_every_failed_rule(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.to_password_step(owner)
        refused = owner.post(
            "/mise-a-jour/mot-de-passe", {"password": "lefevre1", "confirmation": "lefevre1"}
        )
        assert refused.status_code == 400
        assert owner.errors() == ["Ce mot de passe ne peut pas être accepté :"]
        assert "au moins une lettre majuscule" in refused.text
        assert "données personnelles" in refused.text
        mismatch = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": OTHER})
        assert owner.errors() == ["Les deux saisies du nouveau mot de passe sont différentes."]
        assert 'href="#confirmation"' in mismatch.text
    assert site.rows("SELECT status FROM account") == [("pending",)]


def test_resend_gives_a_new_code_and_the_old_one_is_refused(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.sign_in(owner)
        owner.get("/mise-a-jour/e-mail")
        owner.post(
            "/mise-a-jour/e-mail",
            {"email": "marie@example.com", "confirm_email": "marie@example.com"},
        )
        first = site.code()
        owner.get("/mise-a-jour/code")
        too_soon = owner.post("/mise-a-jour/nouveau-code")
        assert too_soon.status_code == 400
        assert owner.errors()[0].startswith("Un code vient d'être envoyé : attendez")
        site.age_codes(minutes=2)  # the cooldown is over
        assert owner.post("/mise-a-jour/nouveau-code").headers["location"] == "/mise-a-jour/code"
        second = site.code()
        assert second != first
        owner.get("/mise-a-jour/code")
        owner.post("/mise-a-jour/code", {"code": first})
        assert owner.errors() == [
            "Ce code a été remplacé par un code plus récent : utilisez le dernier code reçu."
        ]
        assert owner.post("/mise-a-jour/code", {"code": second}).status_code == 303


def test_several_accounts_take_the_password_unless_this_one_only(site: Site) -> None:
    site.account("LEF001", copropriete="Les Tilleuls")
    site.account("LEF002", copropriete="Le Belvédère", lots=["3"])
    site.account("LEF003", copropriete="Les Cèdres", lots=["7"])
    with site.visitor() as owner:
        site.to_password_step(owner, "LEF001")
        assert "LEF002, LEF003" in owner.page.text
        assert "Appliquer ce mot de passe à ce compte seulement (LEF001)" in owner.page.text
        done = owner.post(
            "/mise-a-jour/mot-de-passe",
            {"password": NEW, "confirmation": NEW, "this_account_only": "oui"},
        )
        owner.follow(done)
        assert "LEF002 garde son mot de passe" in owner.page.text
        owner.get("/espace")
        assert "Le Belvédère" in owner.page.text
        assert "(compte LEF002)" in owner.page.text
    assert site.rows("SELECT identifiant, status FROM account ORDER BY identifiant") == [
        ("LEF001", "active"),
        ("LEF002", "pending"),
        ("LEF003", "pending"),
    ]
    with site.visitor() as owner:
        site.activate(owner, "LEF002")
    assert site.rows("SELECT identifiant, status FROM account ORDER BY identifiant") == [
        ("LEF001", "active"),
        ("LEF002", "active"),
        ("LEF003", "active"),  # reached by LEF002's update (pending, same owner)
    ]


def test_settings_change_the_email_with_a_code_and_tell_the_old_address(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.activate(owner)
        owner.get("/parametres")
        assert owner.heading() == "Paramètres"
        owner.get("/parametres/e-mail")
        wrong = owner.post(
            "/parametres/e-mail",
            {
                "email": "marie.l@example.org",
                "confirm_email": "marie.l@example.org",
                "current_password": "Pas-le-bon-1",
            },
        )
        assert owner.errors() == ["Identifiant ou mot de passe incorrect."]
        assert 'href="#current_password"' in wrong.text
        sent = owner.post(
            "/parametres/e-mail",
            {
                "email": "marie.l@example.org",
                "confirm_email": "marie.l@example.org",
                "current_password": NEW,
            },
        )
        owner.follow(sent)
        assert owner.heading() == "Authentification de votre E-mail"
        done = owner.post("/parametres/e-mail/code", {"code": site.code("marie.l@example.org")})
        owner.follow(done)
        assert "Votre adresse e-mail de contact est désormais marie.l@example.org" in (
            owner.page.text.replace("\xa0", " ")
        )
    assert site.rows("SELECT email FROM account") == [("marie.l@example.org",)]
    site.deliver()
    to_old = [m for m in site.mails() if m["To"].addresses[0].addr_spec == "marie@example.com"]
    assert to_old[-1]["X-Coproctl-Kind"] == "email_changed"  # the notice to the old address


def test_settings_change_the_password(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.activate(owner)
        owner.get("/parametres/mot-de-passe")
        assert owner.heading() == "Modifier mon mot de passe"
        fields = {"current_password": NEW, "password": OTHER, "confirmation": OTHER}
        owner.post("/parametres/mot-de-passe", fields)
        assert owner.errors() == ["Confirmez avoir noté ce mot de passe en lieu sûr."]
        changed = owner.post("/parametres/mot-de-passe", {**fields, "noted": "oui"})
        owner.follow(changed)
        assert owner.heading() == "Paramètres"
        assert "Votre nouveau mot de passe est activé." in owner.page.text
        owner.get("/espace")
        assert owner.page.status_code == 200  # this session stays open
    with site.visitor() as again:
        assert site.sign_in(again, password=NEW).status_code == 400
        assert site.sign_in(again, password=OTHER).headers["location"] == "/espace"


def test_sign_out_ends_the_session(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.activate(owner)
        owner.get("/espace")
        out = owner.post("/deconnexion")
        assert out.status_code == 200
        assert "Vous êtes déconnecté" in out.text
        assert owner.get("/espace").headers["location"] == "/"
    assert site.rows("SELECT COUNT(*) FROM web_session") == [(0,)]
    assert INITIAL  # the letter's password opened the account once, and no more:
    with site.visitor() as again:
        assert site.sign_in(again).status_code == 400
