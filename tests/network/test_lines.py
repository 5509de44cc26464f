"""network.lines on hand-built graphs: deal phones, which phones are one line, who is in it."""

import pytest

from safeguard.network import graph as g
from safeguard.network import line_rules, lines

from .factories import (
    families,
    fan_out,
    fan_out_nodes,
    hand_line,
    number,
    person,
    phone,
    record_graph,
    tie,
)


@pytest.fixture(scope="module")
def rules() -> line_rules.Lines:
    return line_rules.current()


def _deal(rg: g.RecordGraph, rules) -> dict[str, str]:
    return {rg.nodes[v].key: why for v, why in lines.deal_phones(rg, rules).items()}


def _keys(rg: g.RecordGraph, vertices) -> set[str]:
    return {rg.nodes[v].key for v in vertices}


def test_a_phone_recorded_as_a_deal_line_is_one_with_its_reason(rules):
    deal = phone("07700900001", deal=True, line_name="Bruno")
    unnamed = phone("07700900002", deal=True)
    named = phone("07700900003", line_name="Tony")
    plain = phone("07700900004")
    rg = record_graph([deal, unnamed, named, plain], [])
    assert _deal(rg, rules) == {
        deal.key: "recorded as a deal line (Bruno)",
        unnamed.key: "recorded as a deal line",
        named.key: "recorded with the line name Tony",
    }


def test_a_phone_fanning_out_to_numbers_that_do_not_contact_each_other_is_a_deal_line(rules):
    most = rules.deal_lines.fan_out.min_contacts
    hub = "07700955555"
    rg = record_graph(fan_out_nodes(hub, most), fan_out(hub, most))
    assert _deal(rg, rules) == {
        g.phone_key(hub): f"in contact with {most} numbers, 0% of whose pairs contact each "
        "other: the fan-out of bulk marketing texts"
    }


def test_a_phone_whose_contacts_all_contact_each_other_is_not_a_deal_line(rules):
    most = rules.deal_lines.fan_out.min_contacts
    hub = "07700955555"
    rg = record_graph(fan_out_nodes(hub, most), fan_out(hub, most, clique_leaves=True))
    assert _deal(rg, rules) == {}
    assert lines.detect(rg, rules) == []


def test_a_phone_with_fewer_contacts_than_the_fan_out_needs_is_not_a_deal_line(rules):
    fewer = rules.deal_lines.fan_out.min_contacts - 1
    hub = "07700955555"
    rg = record_graph(fan_out_nodes(hub, fewer), fan_out(hub, fewer))
    assert _deal(rg, rules) == {}


def test_a_fan_out_phone_is_found_as_a_line_keyed_by_its_number(rules):
    most = rules.deal_lines.fan_out.min_contacts
    hub = "+44 7700 955555"
    rg = record_graph(fan_out_nodes(hub, most), fan_out(hub, most))
    [line] = lines.detect(rg, rules)
    assert line.key == "deal-07700955555" and line.brand == ""
    assert _keys(rg, line.deal_phones) == {g.phone_key(hub)}


def _two_deal_phones(a_name: str, b_name: str, a_contacts: range, b_contacts: range):
    """Return a graph of two recorded deal phones, each in contact with the numbers given."""
    a = phone("07700900001", deal=True, line_name=a_name)
    b = phone("07700900002", deal=True, line_name=b_name)
    others = {i: phone(number("5", i)) for i in set(a_contacts) | set(b_contacts)}
    ties = [tie(a, others[i], "contact", f"link:{i}", count=5) for i in a_contacts]
    ties += [tie(b, others[i], "contact", f"link:{100 + i}", count=5) for i in b_contacts]
    return record_graph([a, b, *others.values()], ties), a, b


def test_two_deal_phones_with_the_same_line_name_are_one_line(rules):
    # no contact in common; the name written differently
    rg, a, b = _two_deal_phones("Bruno", "BRUNO", range(1, 4), range(10, 14))
    [line] = lines.detect(rg, rules)
    assert _keys(rg, line.deal_phones) == {a.key, b.key}
    assert (line.key, line.brand) == ("bruno", "BRUNO")


def test_two_deal_phones_with_overlapping_contact_lists_are_one_line(rules):
    # 3 of the 5 numbers either contacts are common to both (the new handset took over the
    # old one's users): 0.6, more than the 0.3 the rules ask
    rg, a, b = _two_deal_phones("", "", range(1, 5), range(2, 6))
    [line] = lines.detect(rg, rules)
    assert _keys(rg, line.deal_phones) == {a.key, b.key}


def test_two_unrelated_deal_phones_are_two_lines(rules):
    rg, a, b = _two_deal_phones("Bruno", "Nike", range(1, 5), range(10, 14))
    found = lines.detect(rg, rules)
    assert sorted(_keys(rg, line.deal_phones).pop() for line in found) == [a.key, b.key]
    assert sorted(line.key for line in found) == ["bruno", "nike"]


def test_deal_phones_sharing_few_contacts_are_two_lines(rules):
    # 1 number in common of 7: 0.14, under the 0.3 the rules ask
    rg, _, _ = _two_deal_phones("", "", range(1, 5), range(4, 8))
    assert len(lines.detect(rg, rules)) == 2


def test_the_members_of_a_line_include_the_controller_runners_and_users(rules):
    hl = hand_line()
    rg = record_graph(hl.nodes, hl.ties)
    [line] = lines.detect(rg, rules)
    assert _keys(rg, line.deal_phones) == {hl.phones["deal"].key}
    assert line.deal_phones[rg.index[hl.phones["deal"].key]] == "recorded as a deal line (Bruno)"
    people = _keys(rg, line.people(rg))
    # the controller by his use of the deal phone, the others through their phones' contact
    # with it
    for part in ("controller", "runner1", "runner2", "user", "resident"):
        assert hl.people[part].key in people, part
    for part in ("deal", "runner1", "runner2", "user", "resident"):
        assert hl.phones[part].key in _keys(rg, line.members), part
    assert all(rg.nodes[v].kind == g.PERSON for v in line.people(rg))
    # the period of the deal phone's contacts
    assert (line.first, line.last) == ("2025-01-01", "2025-03-31")


def test_a_lines_members_do_not_depend_on_how_much_else_is_recorded(rules):
    # The same line, alone in the graph (a narrow window, a small force) and beside 20
    # unrelated households: its group is the same, lieutenant and cuckooed address included.
    hl = hand_line()
    alone = record_graph(hl.nodes, hl.ties)
    others, their_ties = families(20)
    among = record_graph(hl.nodes + others, hl.ties + their_ties)
    [line_alone] = lines.detect(alone, rules)
    [line_among] = lines.detect(among, rules)
    assert _keys(among, line_among.members) == {n.key for n in hl.nodes}
    assert _keys(alone, line_alone.members) == _keys(among, line_among.members)


def test_a_person_using_a_phone_in_contact_with_the_deal_phone_is_a_member(rules):
    deal = phone("07700900001", deal=True, line_name="Bruno")
    buyer_phone, buyer = phone("07700900002"), person(1, "Uma Pike")
    far_phone, far = phone("07700900003"), person(2, "Far Away")
    rg = record_graph(
        [deal, buyer_phone, buyer, far_phone, far],
        [
            tie(buyer_phone, deal, "contact", "link:1", count=3),
            tie(buyer, buyer_phone, "uses_phone", "link:2"),
            tie(far, far_phone, "uses_phone", "link:3"),  # no tie to the line at all
        ],
    )
    [line] = lines.detect(rg, rules)
    assert _keys(rg, line.people(rg)) == {buyer.key}
    assert far_phone.key not in _keys(rg, line.members)


def test_two_lines_joined_by_one_arrest_do_not_share_members(rules):
    bruno = hand_line(base=0, digit="1", brand="Bruno")
    nike = hand_line(base=100, digit="2", brand="Nike")
    joined = tie(
        bruno.people["runner1"],
        nike.people["runner1"],
        "same_event",
        "event:999",
        "2025-02-20",
        "2025-02-20",
    )
    rg = record_graph(bruno.nodes + nike.nodes, bruno.ties + nike.ties + [joined])
    found = {line.key: line for line in lines.detect(rg, rules)}
    assert sorted(found) == ["bruno", "nike"]
    assert not found["bruno"].members & found["nike"].members
    for key, hl in (("bruno", bruno), ("nike", nike)):
        people = _keys(rg, found[key].people(rg))
        assert people <= {n.key for n in hl.people.values()}, key
        assert hl.people["controller"].key in people and hl.people["runner1"].key in people


# (line names of the deal phones, key): the brand's slug, the most common name; else the
# first deal number
KEY_TABLE = [
    (["Bruno"], "bruno"),
    (["Big Tony"], "big-tony"),
    (["  tony's  line "], "tony-s-line"),
    (["Nike", "Nike", "Nike 2"], "nike"),
    ([""], "deal-07700900001"),
    (["", ""], "deal-07700900001"),
]


@pytest.mark.parametrize(("names", "key"), KEY_TABLE)
def test_a_line_is_keyed_by_its_brand_else_by_its_first_deal_number(rules, names, key):
    users = [phone(number("5", i)) for i in range(1, 4)]
    deal = [
        phone(f"0770090000{i}", deal=True, line_name=name) for i, name in enumerate(names, start=1)
    ]
    # every deal phone texts the same users: one line
    ties = [
        tie(d, u, "contact", f"link:{i}{j}", count=4)
        for i, d in enumerate(deal)
        for j, u in enumerate(users)
    ]
    rg = record_graph(deal + users, ties)
    [line] = lines.detect(rg, rules)
    assert line.key == key
