"""Each back-office screen's main flow, driven in Chromium against `python -m local`, checked through the API."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.admin_support import call, open_screen, screenshot, shown, sign_in

ADMIN = "/v1/admin/properties/demo"


def sold_to(runtime: Any, email: str) -> dict[str, Any]:
    """The gift product a voucher was sold from to `email`, once localstripe's webhook has created it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for product in call(runtime, "GET", f"{ADMIN}/gift-products")["gift_products"]:
            vouchers = call(runtime, "GET", f"{ADMIN}/gift-products/{product['id']}/vouchers?limit=100")["vouchers"]
            if any(v["buyer_email"] == email for v in vouchers):
                return dict(product)
        time.sleep(0.5)
    raise AssertionError(f"no voucher sold to {email}")


def confirm(page: Any, *, naming: str | None = None) -> None:
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    if naming:
        expect(dialog).to_contain_text(naming)
    dialog.get_by_test_id("confirm-ok").click()
    expect(page.locator("dialog[open]")).to_have_count(0)


@pytest.mark.browser
def test_create_a_code_shows_field_errors_then_the_widget_validates_it(page: Any, local_runtime: Any) -> None:
    code = f"ADMIN{int(time.time()) % 100000}"
    sign_in(page, local_runtime, "/codes/new")
    page.get_by_test_id("code").fill("a b")  # refused by the API: the message sits next to the field
    page.get_by_test_id("name").fill("Offre du back-office")
    page.get_by_test_id("percent").fill("150")
    page.get_by_test_id("valid-until").fill(str(date.today() + timedelta(days=90)))
    page.get_by_test_id("save").click()
    expect(page.locator(".form-error")).to_be_visible()
    expect(page.get_by_test_id("code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("percent")).to_have_attribute("aria-invalid", "true")
    code_error = page.get_by_test_id("code").get_attribute("aria-describedby") or ""
    assert "err-save" in code_error
    percent_error = (page.get_by_test_id("percent").get_attribute("aria-describedby") or "").split()[-1]
    expect(page.locator(f"#{percent_error}")).to_have_text("Cette valeur est trop grande.")  # by type, in French
    expect(page.locator(".form-error")).to_have_text("Vérifiez les champs signalés.")
    screenshot(page, "fr-codes-errors")

    page.get_by_test_id("code").fill(code)
    page.get_by_test_id("percent").fill("15")
    page.get_by_test_id("save").click()
    expect(page.locator("main h1")).to_have_text(f"Code promo {code}")
    created = next(c for c in call(local_runtime, "GET", f"{ADMIN}/promo-codes?limit=100")["promo_codes"]
                   if c["code"] == code)
    assert created["discount"] == {"type": "percent", "percent": 15.0, "max_amount": None}

    open_screen(page, "/codes")
    row = page.locator(f"tr[data-code={code}]")
    expect(row).to_contain_text("15 %")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "active")

    page.goto("/")  # the booking widget on the demo page accepts it
    expect(page.get_by_test_id("basket-total")).to_be_visible()
    page.get_by_test_id("promo-input").fill(code)
    page.get_by_test_id("promo-apply").click()
    expect(page.get_by_test_id("discount-amount")).to_be_visible()
    expect(page.get_by_test_id("promo-message")).to_contain_text(code)


@pytest.mark.browser
def test_share_a_code_by_e_mail_and_see_it_in_the_sent_to_list(page: Any, local_runtime: Any) -> None:
    promo = next(c for c in call(local_runtime, "GET", f"{ADMIN}/promo-codes?limit=100")["promo_codes"]
                 if c["code"] == "MERCI50")
    email = f"partage-{int(time.time())}@example.com"
    sign_in(page, local_runtime, f"/codes/{promo['id']}")
    page.get_by_test_id("share").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_test_id("share-code")).to_have_text("MERCI50")
    dialog.get_by_test_id("share-guest").select_option("anna.devries@example.com")  # picks a guest from the list
    expect(dialog.locator("[name=first_name]")).to_have_value("Anna")
    expect(dialog.locator("[name=language]")).to_have_value("nl")
    dialog.locator("[name=first_name]").fill("Lotte")
    dialog.locator("[name=last_name]").fill("Peeters")
    dialog.get_by_test_id("share-email").fill(email)
    dialog.get_by_label("Langue").select_option("nl")
    screenshot(page, "fr-codes-share")
    dialog.get_by_test_id("share-send").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_test_id("sent-to")).to_contain_text(email)
    sent = call(local_runtime, "GET", f"{ADMIN}/promo-codes/{promo['id']}/sent-to")["sent_to"]
    assert any(s["email"] == email for s in sent)


@pytest.mark.browser
def test_sell_a_voucher_then_find_it_issue_void_and_import(page: Any, local_runtime: Any) -> None:
    email = f"cadeau-{int(time.time())}@example.com"
    page.goto("/")  # a guest buys a 75 € voucher in the demo page's gift shop (localstripe)
    shop = page.locator("revenir-gift-shop")
    shop.get_by_test_id("gift-preset-other").check()  # the demo's buyer-chosen "Chèque cadeau", first
    shop.get_by_test_id("gift-amount").fill("75")
    shop.get_by_test_id("gift-first-name").fill("Claire")
    shop.get_by_test_id("gift-last-name").fill("Lambert")
    shop.get_by_test_id("gift-email").fill(email)
    for field, value in (("number", "4242424242424242"), ("exp_month", "12"), ("exp_year", "30"), ("cvc", "123"),
                         ("postal_code", "5000")):
        shop.locator(f"[data-field={field}]").fill(value)  # the Payment Element (locally: the stand-in)
    shop.get_by_test_id("gift-pay").click()
    expect(shop.get_by_test_id("gift-paid")).to_contain_text("Merci", timeout=20_000)

    product = sold_to(local_runtime, email)
    sign_in(page, local_runtime, "/vouchers")
    page.get_by_role("link", name=product["name"], exact=True).click()
    expect(page.locator("main h1")).to_have_text(product["name"])
    row = page.get_by_test_id("vouchers-table").locator("tr", has_text=email)
    expect(row).to_contain_text("Claire Lambert")
    assert "75,00 €" in shown(row.inner_text())
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "unused")
    screenshot(page, "fr-vouchers-sold")

    row.get_by_role("link").click()  # the voucher: ledger, then void what is left
    expect(page.get_by_test_id("ledger")).to_contain_text("Émission")
    page.get_by_test_id("void").click()
    confirm(page, naming="75,00")
    expect(page.get_by_test_id("voucher-status")).to_contain_text("Annulé")

    open_screen(page, f"/vouchers/{product['id']}")  # a voucher issued by hand (a prize)
    page.get_by_test_id("issue-reason").fill("Tombola du village")
    page.get_by_test_id("issue-amount").fill("40")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("vouchers-table")).to_contain_text("émis à la main")

    code = f"TOMB{int(time.time()) % 100_000_000:08d}"
    display = f"{code[:4]}-{code[4:8]}-{code[8:]}"  # how Revenir shows voucher codes
    csv = f"code;value;client\n{code};30;Jean Dupuis\n".encode()
    for expected in ("imported", "unchanged"):  # importing the same file twice changes nothing
        page.get_by_test_id("import-file").set_input_files({"name": "codes.csv", "mimeType": "text/csv", "buffer": csv})
        page.get_by_role("button", name="Importer").click()
        report = page.get_by_test_id("import-report")
        expect(report.locator(f"tr[data-status={expected}]")).to_contain_text(display)
    expect(page.get_by_test_id("vouchers-table")).to_contain_text("Jean Dupuis")


@pytest.mark.browser
def test_edit_a_template_see_the_preview_toggle_and_reset(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/emails")
    card = page.locator("[data-template=post_stay_offer]")
    toggle = card.get_by_role("switch")
    expect(toggle).to_have_text("DÉSACTIVÉ")
    toggle.click()
    expect(card.get_by_role("switch")).to_have_text("ACTIVÉ")
    assert call(local_runtime, "GET", f"{ADMIN}/mail-templates/post_stay_offer")["enabled"] is True
    card.get_by_role("switch").click()
    expect(card.get_by_role("switch")).to_have_attribute("aria-checked", "false")
    screenshot(page, "fr-emails-board")

    open_screen(page, "/emails/thanks")
    subject = page.get_by_test_id("subject")
    subject.fill("Merci ")
    subject.press("End")
    page.get_by_role("button", name="{{ guest.first_name }}").click()  # inserted where the cursor was
    expect(subject).to_have_value("Merci {{ guest.first_name }}")
    subject.press("End")
    subject.type(", à bientôt")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text("Merci Martin, à bientôt")
    page.get_by_label("Aperçu pour").select_option("DEMO-1002")  # Anna's booking
    expect(page.get_by_test_id("preview-subject")).to_have_text("Merci Anna, à bientôt")
    frame = page.frame_locator("[data-testid=preview-frame]")
    expect(frame.locator("body")).to_contain_text("Anna")
    screenshot(page, "fr-emails-editor")
    stored = call(local_runtime, "GET", f"{ADMIN}/mail-templates/thanks")
    assert stored["versions"]["fr"]["subject"] == "Merci {{ guest.first_name }}, à bientôt"
    assert stored["customized"] is True

    page.get_by_test_id("lang-en").click()  # the English version is untouched
    expect(page.get_by_test_id("subject")).not_to_have_value("Merci {{ guest.first_name }}, à bientôt")
    page.get_by_test_id("reset").click()
    confirm(page)
    expect(page.get_by_test_id("reset")).to_have_count(0)
    assert call(local_runtime, "GET", f"{ADMIN}/mail-templates/thanks")["customized"] is False


@pytest.mark.browser
def test_answer_a_review_and_keep_a_private_note(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/reviews?answered=false&source=booking")
    review = page.get_by_test_id("reviews").locator("li.review").first
    review_id = review.get_attribute("data-review")
    review.get_by_label("Répondre").fill("Merci Luc, nous avons revu le ménage.")
    expect(review).to_contain_text("enregistrée dans Revenir")  # Booking.com replies are stored, not posted
    review.get_by_role("button", name="Publier la réponse").click()
    answered = page.locator(f"li[data-review={review_id}]")
    expect(answered.get_by_test_id("reply")).to_contain_text("Merci Luc")
    expect(answered).to_contain_text("Répondu")
    answered.get_by_label("Note privée").fill("Appeler la femme de ménage")
    with page.expect_response(lambda r: r.url.endswith("/note") and r.request.method != "GET"):
        answered.get_by_role("button", name="Enregistrer la note").click()  # the field shows it before it is saved
    expect(page.locator(f"li[data-review={review_id}]").get_by_label("Note privée")).to_have_value(
        "Appeler la femme de ménage")
    stored = call(local_runtime, "GET", f"{ADMIN}/reviews/{review_id}")
    assert stored["answered"] is True and stored["note"] == "Appeler la femme de ménage"
    assert stored["host_reply"]["status"] == "stored_only"
    screenshot(page, "fr-reviews-answered")


@pytest.mark.browser
def test_add_unsubscribe_and_erase_a_guest(page: Any, local_runtime: Any) -> None:
    email = f"zoe.{int(time.time())}@example.com"
    sign_in(page, local_runtime, "/guests/new")
    page.get_by_test_id("first-name").fill("Zoé")
    page.get_by_test_id("last-name").fill("Martens")
    page.get_by_test_id("email").fill("pas-une-adresse")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("email")).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("save").click()
    expect(page.locator("main h1")).to_have_text("Zoé Martens")
    expect(page.get_by_test_id("guest-emails")).to_be_visible()  # the stay's e-mails are scheduled

    page.get_by_test_id("unsubscribe").click()
    confirm(page, naming="Zoé Martens")
    expect(page.get_by_test_id("email-status")).to_have_text("Désabonné")
    with page.expect_download() as download:
        page.get_by_test_id("gdpr-export").click()
    assert email in download.value.suggested_filename
    screenshot(page, "fr-guest-profile")

    page.get_by_test_id("erase").click()
    confirm(page, naming=f"Zoé Martens ({email})")
    expect(page.locator("main h1")).to_have_text("Clients")
    with pytest.raises(urllib.error.HTTPError) as gone:
        call(local_runtime, "GET", f"{ADMIN}/guests/{email}")
    assert gone.value.code == 404


@pytest.mark.browser
def test_the_guest_list_defaults_to_the_next_30_days_and_filters(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/guests")
    table = page.get_by_test_id("guests-table")
    expect(table).to_contain_text("Martin Dupont")
    expect(table).to_contain_text("Anna de Vries")
    expect(table).not_to_contain_text("Jonas Becker")  # left three days ago
    page.get_by_role("button", name="Tous les clients").click()
    expect(page.get_by_test_id("guests-table")).to_contain_text("Jonas Becker")
    page.get_by_test_id("filter-name").fill("becker")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("guests-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("guest-total")).to_have_text("1 client(s)")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.endswith(".csv")


@pytest.mark.browser
def test_the_dashboard_shows_what_the_dashboard_route_says(page: Any, local_runtime: Any) -> None:
    arrival = date.today() + timedelta(days=40)
    call(local_runtime, "POST", "/v1/properties/demo/redemptions", {  # one use this month, 10 % of 400 € given
        "code": "BIENVENUE10", "booking_id": f"DASH-{time.time_ns()}", "arrival": str(arrival),
        "departure": str(arrival + timedelta(days=2)),
        "lines": [{"offer_id": "gite-bout-du-monde", "amount": 40000, "currency": "EUR"}]})
    board = call(local_runtime, "GET", f"{ADMIN}/dashboard")
    month, year = board["this_month"], board["last_12_months"]
    assert month["codes"]["uses"] >= 1 and month["codes"]["discount_given"]["EUR"] >= 4000
    sign_in(page, local_runtime)
    expect(page.get_by_test_id("codes-used")).to_have_text(str(month["codes"]["uses"]))
    expect(page.get_by_test_id("codes-used-12")).to_have_text(str(year["codes"]["uses"]))
    given = shown(page.get_by_test_id("discount-given").inner_text())
    assert given == f"{month['codes']['discount_given']['EUR'] / 100:,.2f} €".replace(",", " ").replace(".", ",")
    expect(page.get_by_test_id("emails-sent")).to_have_text(str(month["emails"]["sent"]))
    expect(page.get_by_test_id("dashboard")).to_contain_text("Remises accordées par les codes")
    expect(page.get_by_test_id("dashboard")).to_contain_text("E-mails envoyés")
    if board["reviews"]["average"] is not None:
        expect(page.get_by_test_id("review-average")).to_contain_text(
            f"{board['reviews']['average']:.1f}".replace(".", ","))


@pytest.mark.browser
def test_settings_show_the_api_errors_next_to_the_fields_then_save(page: Any, local_runtime: Any) -> None:
    sign_in(page, local_runtime, "/settings")
    page.get_by_label("E-mail de contact").fill("pas-une-adresse")
    page.get_by_test_id("save-property").click()
    expect(page.get_by_label("E-mail de contact")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("e-mail")
    page.get_by_label("E-mail de contact").fill("accueil@moulin.revenir.example")
    page.get_by_test_id("save-property").click()
    expect(page.locator(".toast")).to_have_text("Enregistré.")
    expect(page.locator(".field-error")).to_have_count(0)
    assert call(local_runtime, "GET", ADMIN)["contact_email"] == "accueil@moulin.revenir.example"

    offer_id = f"panier-{int(time.time()) % 100000}"
    offer = page.locator("form[data-form=offer]")
    offer.locator("[name=offer_id]").fill(offer_id)
    offer.locator("[name=name]").fill("Panier du terroir")
    offer.get_by_label("Type").select_option("option")
    offer.locator("[name=price]").fill("18.50")
    offer.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("offers-table")).to_contain_text("Panier du terroir")
    stored = {o["offer_id"]: o for o in call(local_runtime, "GET", f"{ADMIN}/offers")["offers"]}
    assert stored[offer_id]["price"] == 1850 and stored[offer_id]["kind"] == "option"


@pytest.mark.browser
def test_segments_and_a_per_segment_variant(page: Any, local_runtime: Any) -> None:
    segment = f"familles{int(time.time()) % 10000}"
    sign_in(page, local_runtime, "/emails")
    form = page.locator("form[data-form=segment]")
    form.get_by_label("Identifiant").fill(segment)
    form.get_by_label("Nom du segment").fill("Familles")
    form.get_by_label("Étiquettes").fill("famille, enfants")
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("segments")).to_contain_text("famille, enfants")
    stored = {s["segment_id"]: s for s in call(local_runtime, "GET", f"{ADMIN}/segments")["segments"]}
    assert stored[segment]["rules"]["tags"] == ["famille", "enfants"]

    open_screen(page, "/emails/eve_of_arrival")
    variants = page.get_by_test_id("variants")
    page.get_by_test_id("variant-name").fill("Pour les familles")
    variants.get_by_label("Familles").check()
    page.get_by_test_id("save").click()
    variants.get_by_role("link", name="Pour les familles").click()
    expect(page.locator("main h1")).to_contain_text("Pour les familles")
    page.get_by_test_id("subject").fill("Bientôt chez nous, avec les enfants !")
    expect(page.locator(".toast.visible")).to_have_count(0, timeout=8000)  # the first save's message has gone
    page.get_by_test_id("save").click()
    expect(page.locator(".toast.visible")).to_have_text("Enregistré.")
    template = call(local_runtime, "GET", f"{ADMIN}/mail-templates/eve_of_arrival")
    variant = next(v for v in template["variants"] if v["name"] == "Pour les familles")
    assert variant["segments"] == [segment]
    assert variant["versions"]["fr"]["subject"] == "Bientôt chez nous, avec les enfants !"
    assert template["versions"]["fr"]["subject"] != variant["versions"]["fr"]["subject"]
    call(local_runtime, "DELETE", f"{ADMIN}/mail-templates/eve_of_arrival")  # back to the default for other tests


@pytest.mark.browser
def test_a_host_with_two_properties_switches_between_them(page: Any, local_runtime: Any) -> None:
    from local import demo, tokens

    token = tokens.mint(["demo", "second-home"])
    body = {**demo.PROPERTY, "name": "La Seconde Maison"}
    request = urllib.request.Request(f"{local_runtime.url}/v1/admin/properties/second-home",
                                     data=json.dumps(body).encode(), method="PUT", headers={
                                         "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=15).close()
    page.goto(f"/admin/#token={token}")
    expect(page.get_by_test_id("property-name")).to_contain_text("Moulin")
    page.get_by_label("Établissement").select_option("second-home")
    expect(page.get_by_test_id("property-name")).to_have_text("La Seconde Maison")
    open_screen(page, "/codes")
    expect(page.locator("main .empty")).to_be_visible()  # the second property has no codes yet
    page.reload()  # the choice is remembered
    expect(page.get_by_test_id("property-name")).to_have_text("La Seconde Maison")


@pytest.mark.browser
def test_a_private_sale_and_a_partner_program_with_its_cards(page: Any, local_runtime: Any) -> None:
    stamp = int(time.time()) % 100000
    sign_in(page, local_runtime, "/sales")
    sale = page.locator("form[data-form=sale]")
    sale.get_by_test_id("sale-name").fill(f"Vente privée {stamp}")
    sale.get_by_label("Code d'accès").fill(f"AMIS{stamp}")
    sale.get_by_test_id("sale-until").fill(str(date.today() + timedelta(days=30)))
    sale.get_by_label("Pourcentage (%)").fill("20")
    sale.get_by_test_id("save-sale").click()
    row = page.get_by_test_id("sales-table").locator("tr", has_text=f"Vente privée {stamp}")
    expect(row).to_contain_text(f"AMIS{stamp}")
    expect(row).to_contain_text("20 %")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "active")

    program = page.locator("form[data-form=program]")
    program.locator("[name=name]").fill(f"Pass Meuse {stamp}")
    program.get_by_label("Valable jusqu'au").fill(str(date.today() + timedelta(days=365)))
    program.get_by_label("Pourcentage (%)").fill("5")
    program.get_by_role("button", name="Enregistrer").click()
    card = page.get_by_test_id("programs").locator("li.card", has_text=f"Pass Meuse {stamp}")
    expect(card).to_contain_text("0 carte(s)")
    cards = f"card_number\nPM-{stamp}-1\nPM-{stamp}-2\nx\n".encode()
    card.locator("input[type=file]").set_input_files({"name": "cartes.csv", "mimeType": "text/csv", "buffer": cards})
    card.get_by_role("button", name="Charger les cartes").click()
    report = page.get_by_test_id("cards-report")
    expect(report).to_contain_text("Ajoutées: 2")
    expect(report.locator("li")).to_have_count(1)  # the bad row, with its reason
    expect(page.get_by_test_id("programs").locator("li.card", has_text=f"Pass Meuse {stamp}")).to_contain_text(
        "2 carte(s)")


@pytest.mark.browser
def test_create_a_gift_product_and_extend_a_voucher(page: Any, local_runtime: Any) -> None:
    name = f"Nuit insolite {int(time.time()) % 100000}"
    sign_in(page, local_runtime, "/vouchers/new")
    page.get_by_test_id("product-name").fill(name)
    page.get_by_test_id("product-amount").fill("95")
    page.get_by_test_id("save-product").click()
    expect(page.locator("main h1")).to_have_text(name)
    product = next(p for p in call(local_runtime, "GET", f"{ADMIN}/gift-products")["gift_products"]
                   if p["name"] == name)
    assert product["value"] == {"type": "fixed", "amount": 9500}

    page.get_by_test_id("issue-reason").fill("Geste commercial")
    page.get_by_test_id("issue").click()
    row = page.get_by_test_id("vouchers-table").locator("tbody tr").first
    expect(row).to_contain_text("95,00")
    row.get_by_role("link").click()
    later = str(date.today() + timedelta(days=800))
    page.get_by_label("Nouvelle date de fin").fill(later)
    page.get_by_role("button", name="Prolonger").last.click()
    code = (page.locator("main h1").text_content() or "").split()[-1]
    deadline = time.monotonic() + 10
    while call(local_runtime, "GET", f"{ADMIN}/vouchers/{code}")["voucher"]["valid_until"] != later:
        assert time.monotonic() < deadline, "the new end date was not saved"
        time.sleep(0.3)

    open_screen(page, "/vouchers")
    expect(page.get_by_test_id("products-table")).to_contain_text(name)


@pytest.mark.browser
def test_import_booking_reviews_and_set_the_alerts(page: Any, local_runtime: Any) -> None:
    from local import demo_reviews

    sign_in(page, local_runtime, "/reviews")
    form = page.locator("form[data-form=import]")
    form.get_by_label("Type de fichier").select_option("booking")
    form.get_by_test_id("review-file").set_input_files({"name": "booking.csv", "mimeType": "text/csv",
                                                        "buffer": demo_reviews.booking_csv().encode()})
    form.get_by_role("button", name="Importer").click()
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("Reçus")
    expect(report).to_contain_text("Inchangés")  # the demo already holds these reviews: nothing changes
    settings = page.locator("form[data-form=settings]")
    settings.get_by_label("Seuil d'alerte (sur 5)").fill("2.5")
    settings.get_by_label("Adresse des alertes").fill("alertes@moulin.revenir.example")
    settings.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".toast.visible")).to_have_text("Enregistré.")
    stored = call(local_runtime, "GET", f"{ADMIN}/review-settings")
    assert stored["alert_threshold"] == 2.5 and stored["alert_email"] == "alertes@moulin.revenir.example"
    expect(page.get_by_test_id("google-status")).to_contain_text("Google n'est pas connecté")


@pytest.mark.browser
def test_send_a_test_e_mail_and_change_the_cart_reminder(page: Any, local_runtime: Any) -> None:
    address = call(local_runtime, "GET", ADMIN)["contact_email"]  # issue 12, item 1: only the host's own addresses

    def tests_sent() -> list[Any]:
        with urllib.request.urlopen(f"{local_runtime.url}/_local/outbox.json", timeout=10) as response:
            return [m for m in json.load(response)
                    if address in " ".join(m["to"] or []) and str(m.get("subject", "")).startswith("[TEST]")]

    before = len(tests_sent())
    sign_in(page, local_runtime, "/emails/booking_info")
    choice = page.get_by_test_id("test-email")
    expect(choice).to_have_value(address)  # a choice of the host's addresses, not a free text field
    assert choice.locator("option").all_inner_texts() == [address]
    # submitted by the form itself (a click there can land in the preview's iframe while Chromium is still scrolling)
    page.locator("form[data-form=test]").evaluate("form => form.requestSubmit()")
    expect(page.locator(".toast.visible")).to_contain_text(address, timeout=20_000)  # rendering + SES
    deadline = time.monotonic() + 20
    while len(tests_sent()) == before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(tests_sent()) == before + 1, "no test e-mail in the outbox"

    open_screen(page, "/emails")
    cart = page.locator("form[data-form=cart]")
    cart.get_by_label("Délai avant la relance (minutes)").fill("90")
    cart.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".toast.visible")).to_have_text("Enregistré.")
    assert call(local_runtime, "GET", f"{ADMIN}/cart-settings")["delay_minutes"] == 90
    call(local_runtime, "PUT", f"{ADMIN}/cart-settings", {**call(local_runtime, "GET", f"{ADMIN}/cart-settings"),
                                                            "delay_minutes": 60})


@pytest.mark.browser
def test_finding_17_the_host_sees_the_mail_that_could_not_go(page: Any, local_runtime: Any) -> None:
    base = call(local_runtime, "GET", f"{ADMIN}/mail-templates/booking_info")
    bomb = {k: base[k] for k in ("name", "kind", "trigger", "category")} | {"versions": {"fr": {
        "subject": "Bientôt", "text": "x", "html": "{% for i in range(booking.nights * 100000) %}{{ i }}{% endfor %}"}}}
    call(local_runtime, "PUT", f"{ADMIN}/mail-templates/booking_info", bomb)  # fine at save, over budget at send
    try:
        arrival = date.today() + timedelta(days=1)
        call(local_runtime, "PUT", "/v1/properties/demo/bookings/B-PROBLEM", {
            "first_name": "Léa", "last_name": "Martin", "email": "lea.problem@example.com", "language": "fr",
            "arrival": str(arrival), "departure": str(arrival + timedelta(days=2)), "adults": 2, "channel": "direct"})
        deadline = time.monotonic() + 30
        while not call(local_runtime, "GET", f"{ADMIN}/mail-problems")["total"] and time.monotonic() < deadline:
            call(local_runtime, "POST", "/_local/clock/advance?seconds=61")  # a dispatcher tick
        sign_in(page, local_runtime, "/emails")
        problems = page.get_by_test_id("mail-problems")
        expect(problems).to_contain_text("template_over_budget")
        expect(problems).to_contain_text("Le modèle ne peut pas être rendu")
        expect(problems).to_contain_text("lea.problem@example.com")
    finally:
        call(local_runtime, "DELETE", f"{ADMIN}/mail-templates/booking_info")


@pytest.mark.browser
def test_the_review_alert_s_link_opens_that_review_ready_to_answer(page: Any, local_runtime: Any) -> None:
    """The host's alert e-mail links to `#/reviews?max_rating=…&review=<id>` (revenir/reviews/alerts.py)."""
    listed = call(local_runtime, "GET", f"{ADMIN}/reviews?limit=100")["reviews"]
    oldest = listed[-1]  # not necessarily on the inbox's first page: the link must still show it, first
    sign_in(page, local_runtime, f"/reviews?review={oldest['review_id']}")
    item = page.locator(f"li.review[data-review='{oldest['review_id']}']")
    expect(item).to_have_class("review card wanted")
    expect(page.get_by_test_id("reviews").locator("li.review").first).to_have_attribute(
        "data-review", oldest["review_id"])
    expect(item.locator("form[data-form=reply] textarea")).to_be_focused()
    sign_in(page, local_runtime, "/reviews?review=rv_unknown")  # a deleted review: the inbox, no error
    expect(page.get_by_test_id("reviews").locator("li.review").first).to_be_visible()
    expect(page.locator("main [role=alert].error")).to_have_count(0)
