"""The code sheet's QR codes carry an address phones can reach."""

from control.web.codes_sheet import is_loopback, reachable_base


def test_a_loopback_address_becomes_the_lan_address_with_its_port():
    assert reachable_base("http://127.0.0.1:5077/", "192.168.1.20") == ("http://192.168.1.20:5077/", None)
    assert reachable_base("https://localhost/", "10.0.0.5") == ("https://10.0.0.5/", None)
    assert reachable_base("http://192.168.1.20:5000/", "10.0.0.5") == ("http://192.168.1.20:5000/", None)


def test_without_a_lan_address_the_sheet_says_phones_cannot_reach_it():
    url, warning = reachable_base("http://[::1]:5000/", None)
    assert url == "http://[::1]:5000/" and "no phone can reach" in str(warning)


def test_what_counts_as_this_machine_only():
    assert is_loopback("127.0.0.1") and is_loopback("127.3.2.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.168.1.20") and not is_loopback("excon.local")
