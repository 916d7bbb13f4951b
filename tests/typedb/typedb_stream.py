#!/usr/bin/env python3
"""An independent encoder and decoder of TypeDB and Grakn export files, for decant's tests.

A TypeDB server is not installable here, so decant's tests read files made by
this script. It encodes with Debian's python3-protobuf and classes that protoc
generates, at test time, from the project's own .proto files
(src/formats/typedb/proto/typedb_v2.proto, typedb_v3.proto) into a build
directory: nothing generated is committed. The framing (a varint byte length,
then one serialised Item) is written here in a few lines, as every exporter
writes it (Java writeDelimitedTo, prost encode_length_delimited).

The shapes are those of the real files (docs/formats/typedb.md, "What the tests
pin down", names the sources):
  grakn-1.8  header "1.8.4", ids "V" + a vertex id, unscoped role labels,
             values string/boolean/long/double/datetime (epoch millis),
             attributes owning attributes;
  grakn-2.0  header "2.0.2", ids the raw IID bytes decoded as text (U+FFFD),
             scoped role labels;
  typedb-2   header "2.29.1", ids base64 (with padding) of 12-byte IIDs, scoped
             role labels whose scope is the declaring relation type
             (`membership:member` on a `set-membership`);
  typedb-3   header "3.12.3", ids base64 of 11-byte object IIDs and of
             attribute IIDs, every 3.x value case.

    typedb_stream.py fixtures OUT_DIR CLASSES_DIR     every fixture file (and canon/*.json)
    typedb_stream.py big FILE N CLASSES_DIR [--generation typedb-3|typedb-2] [--no-checksums]
                                                      an N-item file, streamed (bounded memory)
    typedb_stream.py canon FILE CLASSES_DIR           the canonical form, as JSON
    typedb_stream.py sums FILE CLASSES_DIR            [checksums item, recomputed counts], streamed
    typedb_stream.py self-check CLASSES_DIR           encoder and decoder against each other

The canonical form (canon()) does not depend on item order, on the order of
ownerships and role players inside an item, or on how a relation's players are
grouped into role entries: a sorted list of items, each (kind, id, label,
value, sorted owned ids, sorted (role, player) pairs), plus the header and the
checksums item, and checksums recomputed from the items.
"""
import base64
import importlib.util
import json
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROTO_DIR = os.path.join(ROOT, "src", "formats", "typedb")
PROTOS = ("proto/typedb_v2.proto", "proto/typedb_v3.proto")

V2 = None  # the generated modules (load_classes)
V3 = None

GENERATIONS = {
    # generation: (proto, header version, original database)
    "grakn-1.8": ("v2", "1.8.4", "grakn"),
    "grakn-2.0": ("v2", "2.0.2", "grabl"),
    "typedb-2": ("v2", "2.29.1", "iam"),
    "typedb-3": ("v3", "3.12.3", "shop"),
}
TWO_X_CASES = {"string", "boolean", "integer", "double", "datetime_millis"}


# ---------------------------------------------------------------- classes


def load_classes(out_dir, protoc="protoc"):
    """protoc --python_out=OUT_DIR for the project's .proto files (again when a
    .proto is newer than its module); imports both modules."""
    global V2, V3
    if V2 is not None:
        return
    os.makedirs(out_dir, exist_ok=True)
    modules = [os.path.join(out_dir, p.replace(".proto", "_pb2.py")) for p in PROTOS]
    if any(not os.path.exists(m) or os.path.getmtime(m) < os.path.getmtime(os.path.join(PROTO_DIR, p))
           for m, p in zip(modules, PROTOS)):
        subprocess.run([protoc, f"--python_out={out_dir}", "-I", PROTO_DIR, *PROTOS], check=True)
    loaded = []
    for name, path in zip(("tdt_typedb_v2_pb2", "tdt_typedb_v3_pb2"), modules):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        loaded.append(module)
    V2, V3 = loaded


# ---------------------------------------------------------------- framing


def varint(n):
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def read_delimited(data):
    """Yields (offset, message bytes) of a delimited stream; ValueError on a
    truncated length or message."""
    pos, n = 0, len(data)
    while pos < n:
        start, length, shift = pos, 0, 0
        while True:
            if pos >= n:
                raise ValueError(f"truncated length at byte {start}")
            b = data[pos]
            pos += 1
            length |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if pos + length > n:
            raise ValueError(f"item at byte {start} runs past the end")
        yield start, data[pos:pos + length]
        pos += length


# ---------------------------------------------------------------- items
#
# An item is a dict: {"kind": "entity"|"relation"|"attribute", "id", "label",
# "has": [ids], "roles": [(label, [player ids])] (relations), "value": (case,
# payload) (attributes)}. Value cases are the 3.x field names:
#   string str, boolean bool, integer int, double float, datetime_millis int,
#   decimal (integer, fractional), date days, datetime (seconds, nanos),
#   datetime_tz (seconds, nanos, "named"|"offset", name or seconds east),
#   duration (months, days, nanos), struct name.


def entity(id_, label, has=()):
    return {"kind": "entity", "id": id_, "label": label, "has": list(has)}


def relation(id_, label, roles, has=()):
    return {"kind": "relation", "id": id_, "label": label, "has": list(has),
            "roles": [(r, list(p)) for r, p in roles]}


def attribute(id_, label, value, has=()):
    return {"kind": "attribute", "id": id_, "label": label, "value": value, "has": list(has)}


def _set_value(proto, msg, value):
    case, v = value
    if proto == "v2":
        if case not in TWO_X_CASES:
            raise ValueError(f"{case} has no 2.x form")
        name = {"integer": "long", "datetime_millis": "datetime"}.get(case, case)
        setattr(msg, name, v)
        return
    if case in TWO_X_CASES:
        setattr(msg, case, v)
    elif case == "decimal":
        msg.decimal.integer, msg.decimal.fractional = v
    elif case == "date":
        msg.date.num_days_since_ce = v
    elif case == "datetime":
        msg.datetime.seconds, msg.datetime.nanos = v
    elif case == "datetime_tz":
        msg.datetime_tz.datetime.seconds, msg.datetime_tz.datetime.nanos = v[0], v[1]
        setattr(msg.datetime_tz, v[2], v[3])
    elif case == "duration":
        msg.duration.months, msg.duration.days, msg.duration.nanos = v
    elif case == "struct":
        msg.struct.struct_type_name = v
    else:
        raise ValueError(f"unknown value case {case}")


def encode_item(proto, item):
    """The serialised Item (bytes) of one item dict in the 2.x or 3.x messages."""
    m = V2 if proto == "v2" else V3
    out = m.Item()
    owned_field = "attribute" if proto == "v2" else "attributes"
    kind = item["kind"]
    body = getattr(out, kind)
    body.id = item["id"]
    body.label = item["label"]
    for a in item.get("has", ()):
        getattr(body, owned_field).add().id = a
    if kind == "relation":
        for label, players in item["roles"]:
            role = (body.role if proto == "v2" else body.roles).add()
            role.label = label
            for p in players:
                (role.player if proto == "v2" else role.players).add().id = p
    elif kind == "attribute":
        _set_value(proto, body.value, item["value"])
    return out.SerializeToString()


def encode_header(proto, version, database):
    m = V2 if proto == "v2" else V3
    out = m.Item()
    if proto == "v2":
        out.header.version = version
    else:
        out.header.typedb_version = version
    out.header.original_database = database
    return out.SerializeToString()


def encode_checksums(proto, sums):
    m = V2 if proto == "v2" else V3
    out = m.Item()
    c = out.checksums
    c.entity_count, c.attribute_count, c.relation_count, c.role_count, c.ownership_count = sums
    return out.SerializeToString()


def checksums_of(items):
    """(entities, attributes, relations, role players, ownerships), as every
    exporter counts them: each owned reference and each player, repeats included."""
    e = a = r = roles = owned = 0
    for it in items:
        kind = it["kind"]
        e += kind == "entity"
        a += kind == "attribute"
        r += kind == "relation"
        owned += len(it.get("has", ()))
        roles += sum(len(p) for _, p in it.get("roles", ()))
    return (e, a, r, roles, owned)


class Fixture:
    """One file: generation, items, header and checksums choices."""

    def __init__(self, name, generation, items, header=True, checksums=True, shuffle_seed=None, database=None):
        self.name = name
        self.generation = generation
        self.items = items
        self.header = header
        self.checksums = checksums
        self.seed = shuffle_seed
        self.proto, self.version, db = GENERATIONS[generation]
        self.database = database or db

    def sums(self):
        return checksums_of(self.items)

    def ordered(self):
        items = list(self.items)
        if self.seed is not None:
            random.Random(self.seed).shuffle(items)
        return items

    def encode(self):
        out = bytearray()
        if self.header:
            h = encode_header(self.proto, self.version, self.database)
            out += varint(len(h)) + h
        for it in self.ordered():
            b = encode_item(self.proto, it)
            out += varint(len(b)) + b
        if self.checksums:
            c = encode_checksums(self.proto, self.sums())
            out += varint(len(c)) + c
        return bytes(out)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.encode())
        return path


# ---------------------------------------------------------------- ids


def b64(raw):
    return base64.standard_b64encode(raw).decode("ascii")


def iid2(prefix, type_id, n):
    """A TypeDB 2.x object IID: 12 bytes (prefix, type, object), base64 with padding."""
    return b64(bytes([prefix]) + type_id.to_bytes(2, "big") + n.to_bytes(9, "big"))


def iid2_attr(type_id, value_bytes):
    """A 2.x attribute IID: prefix 0x83, type, a value-type byte, the value."""
    return b64(bytes([0x83]) + type_id.to_bytes(2, "big") + bytes([len(value_bytes) & 0x7F]) + value_bytes)


def iid3(prefix, type_id, n):
    """A TypeDB 3.x object IID: 0x1E entity / 0x1F relation, u16 type, u64 object: 11 bytes."""
    return b64(bytes([prefix]) + type_id.to_bytes(2, "big") + n.to_bytes(8, "big"))


def iid3_attr(type_id, category, value_bytes):
    return b64(bytes([0x20]) + type_id.to_bytes(2, "big") + bytes([category]) + value_bytes)


def lossy20(n):
    """A Grakn 2.0 id: IID bytes through `new String(iid)`, non-UTF-8 bytes as U+FFFD."""
    raw = bytes([0x82, 0x6E, 0x80 | (n >> 8), 0x0A, 0x80]) + (n & 0xFF | 1).to_bytes(1, "big") + bytes([0x41 + n % 26])
    return raw.decode("utf-8", errors="replace") + f"{n:03d}"


# ---------------------------------------------------------------- the fixtures


def fixture_grakn18():
    v = lambda n: f"V{n}"  # noqa: E731
    items = [
        attribute(v(4120), "name", ("string", "Alice"), has=[v(4520)]),  # an attribute owning an attribute
        attribute(v(4152), "name", ("string", "Bob")),
        attribute(v(4184), "name", ("string", "Carol Ünïcødé")),
        attribute(v(4216), "nickname", ("string", "Al")),
        attribute(v(4248), "nickname", ("string", "Ally")),
        attribute(v(4280), "nickname", ("string", "B")),
        attribute(v(4312), "age", ("integer", 42)),
        attribute(v(4344), "age", ("integer", -7)),
        attribute(v(4376), "age", ("integer", 9223372036854775807)),
        attribute(v(4408), "active", ("boolean", True)),
        attribute(v(4440), "active", ("boolean", False)),
        attribute(v(4472), "score", ("double", 3.25)),
        attribute(v(4504), "score", ("double", 1e-300)),
        attribute(v(4536), "born", ("datetime_millis", 1700000000123)),
        attribute(v(4568), "born", ("datetime_millis", -86400001)),  # 1969-12-30T23:59:59.999
        attribute(v(4600), "since", ("datetime_millis", 1600000000000)),
        attribute(v(4520), "provenance", ("string", "census 1901")),
        entity(v(40964144), "person", [v(4120), v(4216), v(4248), v(4312), v(4408), v(4536), v(4472)]),
        entity(v(40964152), "person", [v(4152), v(4280), v(4344), v(4568), v(4440)]),
        entity(v(40964160), "person", [v(4184), v(4504), v(4376)]),
        entity(v(40968240), "company", [v(4184)]),
        entity(v(40968248), "company", []),
        relation(v(81924096), "marriage", [("spouse", [v(40964144), v(40964152)])]),
        relation(v(81924104), "employment",
                 [("employee", [v(40964144), v(40964152), v(40964160)]), ("employer", [v(40968240)])],
                 has=[v(4600)]),
        relation(v(81924112), "certification", [("certified", [v(81924096)]), ("certifier", [v(40968248)])]),
    ]
    return items


def fixture_grakn20():
    i = lossy20
    items = [
        attribute(i(1), "name", ("string", "Ada"), has=[i(9)]),
        attribute(i(2), "name", ("string", "Brian")),
        attribute(i(3), "email", ("string", "ada@example.com")),
        attribute(i(4), "email", ("string", "ada@work.example")),
        attribute(i(5), "age", ("integer", -9223372036854775808)),
        attribute(i(6), "active", ("boolean", True)),
        attribute(i(7), "rating", ("double", -2.5)),
        attribute(i(8), "joined", ("datetime_millis", 1234567890123)),
        attribute(i(9), "source", ("string", "import")),
        entity(i(20), "person", [i(1), i(3), i(4), i(5), i(6), i(8)]),
        entity(i(21), "person", [i(2), i(7)]),
        entity(i(22), "team", []),
        relation(i(40), "membership", [("membership:member", [i(20), i(21)]), ("membership:team", [i(22)])],
                 has=[i(8)]),
        relation(i(41), "endorsement", [("endorsement:endorsed", [i(40)]), ("endorsement:endorser", [i(21)])]),
    ]
    return items


def fixture_typedb2():
    e = lambda t, n: iid2(0x82, t, n)  # noqa: E731
    r = lambda t, n: iid2(0x84, t, n)  # noqa: E731
    a = lambda t, s: iid2_attr(t, s.encode())  # noqa: E731
    user1, user2, user3 = e(0x6E80, 1), e(0x6E80, 2), e(0x6E80, 3)
    group1, file1, action1 = e(0x6F80, 1), e(0x7080, 1), e(0x7180, 1)
    n1, n2, n3, n4 = a(0x10, "name:kevin"), a(0x10, "name:pearl"), a(0x10, "name:admins"), a(0x10, "name:x.txt")
    m1, m2 = a(0x11, "email:k@a"), a(0x11, "email:k@b")
    size, size2 = a(0x12, "size:1"), a(0x12, "size:2")
    flag, ratio, when, src = a(0x13, "flag"), a(0x14, "ratio"), a(0x15, "when"), a(0x16, "src")
    items = [
        attribute(n1, "name", ("string", "Kevin Morrison"), has=[src]),
        attribute(n2, "name", ("string", "Pearle Goodman")),
        attribute(n3, "name", ("string", "admins")),
        attribute(n4, "name", ("string", "x.txt")),
        attribute(m1, "email", ("string", "kevin.morrison@typedb.com")),
        attribute(m2, "email", ("string", "kevin@home.example")),
        attribute(size, "size-kb", ("integer", 0)),
        attribute(size2, "size-kb", ("integer", 9223372036854775807)),
        attribute(flag, "active", ("boolean", False)),
        attribute(ratio, "ratio", ("double", 0.1)),
        attribute(when, "created", ("datetime_millis", -1)),
        attribute(src, "source", ("string", "ldap")),
        entity(user1, "person", [n1, m1, m2, flag]),
        entity(user2, "person", [n2, when]),
        entity(user3, "person", []),
        entity(group1, "user-group", [n3]),
        entity(file1, "file", [n4, size, size2, ratio]),
        entity(action1, "operation", []),
        relation(r(0x7080, 1), "set-membership", [("set-membership:set", [group1]),
                                                  ("membership:member", [user1, user2, user3])]),
        relation(r(0x7180, 1), "membership", [("membership:member", [user3]), ("membership:set", [group1])]),
        relation(r(0x7280, 1), "access", [("access:object", [file1]), ("access:action", [action1])]),
        relation(r(0x7380, 1), "permission", [("permission:subject", [user1, group1]),
                                              ("permission:access", [r(0x7280, 1)])], has=[when]),
    ]
    return items


DEC = 10 ** 19


def fixture_typedb3(repeats=False):
    e = lambda t, n: iid3(0x1E, t, n)  # noqa: E731
    r = lambda t, n: iid3(0x1F, t, n)  # noqa: E731
    counter = iter(range(1, 10 ** 6))
    a = lambda t, cat: iid3_attr(t, cat, next(counter).to_bytes(8, "big"))  # noqa: E731
    attrs = []

    def add(label, type_id, cat, value):
        id_ = a(type_id, cat)
        attrs.append(attribute(id_, label, value))
        return id_

    names = [add("name", 1, 5, ("string", s)) for s in
             ("", "Grüße 東京 🎉", "quote ' \" back\\slash\nnewline\ttab", "Zoë")]
    nick = [add("nickname", 2, 5, ("string", s)) for s in ("Z", "Zo", "Zed")]
    ints = [add("count", 3, 2, ("integer", n)) for n in (-9223372036854775808, 9223372036854775807, 0, -1)]
    dbls = [add("weight", 4, 3, ("double", x)) for x in (-0.0, 1.5, 5e-324, 1.7976931348623157e308, -1e-10)]
    flags = [add("flag", 5, 1, ("boolean", b)) for b in (True, False)]
    decs = [add("price", 6, 4, ("decimal", d)) for d in (
        (1, 5 * 10 ** 18),  # 1.5
        (-2, 5 * 10 ** 18),  # -1.5, the floor form
        (0, 0),
        (-1, DEC - 1),  # -0.0000000000000000001
        (123456789012345678, 9 * 10 ** 18 + 1),  # 123456789012345678.9000000000000000001
        (-9223372036854775808, 0),
    )]
    days = [add("day", 7, 6, ("date", d)) for d in (719163, 719162, 1, 700000, 738000, 3652059)]
    dts = [add("at", 8, 7, ("datetime", t)) for t in (
        (0, 0), (-1, 999999999), (1700000000, 123456789), (1700000000, 123456000), (-2208988800, 1))]
    tzs = [add("at-tz", 9, 8, ("datetime_tz", t)) for t in (
        (1700000000, 0, "named", "Europe/London"),
        (1700000000, 500, "named", "America/New_York"),
        (1700000000, 0, "offset", 19800),  # +05:30
        (1700000000, 123456789, "offset", -12615),  # -03:30:15
        (0, 0, "offset", 0),
    )]
    spans = [add("span", 10, 9, ("duration", d)) for d in (
        (0, 0, 0), (14, 3, 3723000000123), (0, 0, 1), (1200, 400, 2 * 86400 * 10 ** 9))]
    millis = add("stamp", 11, 7, ("datetime_millis", 1700000000123))
    c1, c2, c3 = e(1, 1), e(1, 2), e(1, 3)
    p1, p2, p3 = e(2, 1), e(2, 2), e(2, 3)
    items = attrs + [
        entity(c1, "customer", [names[1], nick[0], nick[1], ints[0], dbls[0], flags[0], decs[0], days[0], millis]),
        entity(c2, "customer", [names[0], nick[2], ints[1], dbls[1], flags[1], decs[1], days[1], spans[1]]),
        entity(c3, "customer", [names[3]]),
        entity(p1, "product", [names[2], decs[2], dbls[2], dbls[3], ints[2]]),
        entity(p2, "product", [decs[3], decs[4], days[2], days[3], ints[3], dbls[4]]),
        entity(p3, "product", [decs[5], days[4], days[5], spans[0], spans[2], spans[3]]),
        relation(r(3, 1), "order", [("order:buyer", [c1]), ("order:item", [p1, p2, p3])], has=[dts[0], tzs[0]]),
        relation(r(3, 2), "order", [("order:buyer", [c2]), ("order:item", [p1])], has=[dts[1], tzs[1]]),
        relation(r(4, 1), "review", [("review:reviewed", [r(3, 1), r(3, 2)]), ("review:reviewer", [c3])],
                 has=[dts[2], dts[3], tzs[2]]),
        relation(r(5, 1), "dispute", [("dispute:about", [r(4, 1)]), ("dispute:party", [c1, c2])],
                 has=[dts[4], tzs[3], tzs[4]]),
    ]
    if repeats:
        # 3.x multiplicities: the same attribute owned twice, a player in one role twice.
        items += [entity(e(1, 9), "customer", [nick[0], nick[0]]),
                  relation(r(6, 1), "pairing", [("pairing:side", [c3, c3])])]
    return items


def fixture_typedb3_compatible():
    """A 3.x file whose values all have a 2.x form (datetimes in whole milliseconds)."""
    e = lambda n: iid3(0x1E, 1, n)  # noqa: E731
    a = lambda n: iid3_attr(1, 5, n.to_bytes(4, "big"))  # noqa: E731
    items = [
        attribute(a(1), "name", ("string", "Ünïcødé")),
        attribute(a(2), "count", ("integer", -9223372036854775808)),
        attribute(a(3), "weight", ("double", -0.0)),
        attribute(a(4), "flag", ("boolean", True)),
        attribute(a(5), "at", ("datetime", (1700000000, 123000000))),
        attribute(a(6), "at", ("datetime", (-1, 999000000))),
        attribute(a(7), "nickname", ("string", "x")),
        attribute(a(8), "nickname", ("string", "y")),
        entity(e(1), "customer", [a(1), a(2), a(3), a(4), a(5), a(7), a(8)]),
        entity(e(2), "customer", [a(6)]),
        relation(iid3(0x1F, 2, 1), "friendship", [("friendship:friend", [e(1), e(2)])]),
    ]
    return items


def flat(items):
    """The items with attributes owning nothing (what TypeDB 3.x can hold)."""
    return [dict(it, has=[]) if it["kind"] == "attribute" else it for it in items]


def fixtures():
    """Every fixture: name -> Fixture."""
    out = [
        Fixture("grakn18", "grakn-1.8", fixture_grakn18(), shuffle_seed=18),
        Fixture("grakn18-nochecksums", "grakn-1.8", fixture_grakn18(), checksums=False, shuffle_seed=19),
        Fixture("grakn18-flat", "grakn-1.8", flat(fixture_grakn18()), shuffle_seed=180),
        Fixture("grakn20", "grakn-2.0", fixture_grakn20(), shuffle_seed=20),
        Fixture("grakn20-flat", "grakn-2.0", flat(fixture_grakn20()), shuffle_seed=200),
        Fixture("typedb2-flat", "typedb-2", flat(fixture_typedb2()), shuffle_seed=23),
        Fixture("typedb2", "typedb-2", fixture_typedb2(), shuffle_seed=2),
        Fixture("typedb2-reordered", "typedb-2", fixture_typedb2(), shuffle_seed=22),
        Fixture("typedb3", "typedb-3", fixture_typedb3(), shuffle_seed=3),
        Fixture("typedb3-reordered", "typedb-3", fixture_typedb3(), shuffle_seed=33),
        Fixture("typedb3-repeats", "typedb-3", fixture_typedb3(repeats=True), shuffle_seed=34),
        Fixture("typedb3-compatible", "typedb-3", fixture_typedb3_compatible(), shuffle_seed=35),
        Fixture("typedb3-noheader", "typedb-3", fixture_typedb3_compatible(), header=False, shuffle_seed=36),
    ]
    return {f.name: f for f in out}


def damaged(fixtures_by_name):
    """The refusals' inputs: name -> bytes."""
    # The damage is past the first 4 KiB that format recognition reads, as in an
    # export cut short: a valid head of ~25 KiB, then the damage.
    filler = [attribute(iid3_attr(12, 5, i.to_bytes(4, "big")), "note", ("string", f"note {i} " * 6))
              for i in range(300)]
    base = fixtures_by_name["typedb3"]
    good = Fixture("x", "typedb-3", base.items + filler, shuffle_seed=base.seed).encode()
    items = list(read_delimited(good))
    # cut in the middle of an item's bytes (its length says more than follows)
    off, body = items[len(items) * 3 // 4]
    truncated = good[:off + len(varint(len(body))) + len(body) // 2]
    small = fixtures_by_name["typedb3"].encode()
    off, body = list(read_delimited(small))[4]
    truncated_head = small[:off + len(varint(len(body))) + len(body) // 2]
    # a last item whose length runs past the end of the file
    past = good + varint(4096) + encode_header("v3", "3.12.3", "x")
    # an item of case 7 (no such case: 1, 2, 3, 15, 16)
    unknown_body = bytes([0x3A]) + varint(4) + bytes([0x0A, 0x02]) + b"id"
    unknown = bytearray()
    for i, (off, body) in enumerate(items):
        unknown += varint(len(body)) + body
        if i == len(items) * 3 // 4:
            unknown += varint(len(unknown_body)) + unknown_body
    # an owned attribute and a player that the file does not hold
    dangling_owned = Fixture("x", "typedb-3", fixture_typedb3_compatible()
                             + [entity(iid3(0x1E, 1, 99), "customer", ["AAAAAAAAAAAAAAAAAAAAAA=="])]).encode()
    dangling_player = Fixture("x", "typedb-3", fixture_typedb3_compatible()
                              + [relation(iid3(0x1F, 2, 99), "friendship",
                                          [("friendship:friend", [iid3(0x1E, 1, 77)])])]).encode()
    return {"truncated": truncated, "truncated-head": truncated_head, "past-end": past, "unknown-case": bytes(unknown),
            "dangling-owned": dangling_owned, "dangling-player": dangling_player}


# ---------------------------------------------------------------- the big file


def write_big(path, n, generation="typedb-3", checksums=True):
    """An N-item file written as it is made (memory does not grow with N): the
    header, then ~45% attributes, 35% entities, 20% relations (each object
    owning 1 to 3 attributes, some a type twice; relations with 2 to 4 players,
    one in ten playing in another relation), then the checksums. Returns the
    checksums tuple."""
    proto, version, database = GENERATIONS[generation]
    n_items = max(n - 2, 10)
    n_attr, n_ent = n_items * 45 // 100, n_items * 35 // 100
    n_rel = n_items - n_attr - n_ent
    e_cnt = a_cnt = r_cnt = roles = owned = 0
    v3 = proto == "v3"

    def aid(i):
        return iid3_attr(1 + i % 5, 5, i.to_bytes(8, "big")) if v3 else iid2_attr(1 + i % 5, i.to_bytes(8, "big"))

    def eid(i):
        return iid3(0x1E, 1 + i % 3, i) if v3 else iid2(0x82, 1 + i % 3, i)

    def rid(i):
        return iid3(0x1F, 1 + i % 2, i) if v3 else iid2(0x84, 1 + i % 2, i)

    def value(i):
        k = i % 5
        if k == 0:
            return "name", ("string", f"name {i} Grüße")
        if k == 1:
            return "count", ("integer", i * 7919 - 3 * n)
        if k == 2:
            return "weight", ("double", i / 7.0)
        if k == 3:
            return "flag", ("boolean", i % 2 == 0)
        if v3:
            return "price", ("decimal", (i - n_attr // 2, (i * 1234567) % DEC))
        return "born", ("datetime_millis", i * 86400123 - 10 ** 12)

    with open(path, "wb") as f:
        buf = bytearray()

        def put(b):
            buf.extend(varint(len(b)))
            buf.extend(b)
            if len(buf) > 1 << 20:
                f.write(buf)
                buf.clear()

        put(encode_header(proto, version, database))
        for i in range(n_attr):
            label, v = value(i)
            put(encode_item(proto, attribute(aid(i), label, v)))
            a_cnt += 1
        for i in range(n_ent):
            has = [aid((i * 3 + k) % n_attr) for k in range(1 + i % 3)]
            if i % 7 == 0:  # the same attribute type twice (a side-table ownership)
                has.append(aid((i * 3 + 5) % n_attr))
            put(encode_item(proto, entity(eid(i), ("person", "company", "place")[i % 3], has)))
            e_cnt += 1
            owned += len(has)
        for i in range(n_rel):
            rel_label = ("friendship", "employment")[i % 2]
            players = [eid((i * 5 + k) % n_ent) for k in range(2 + i % 3)]
            if rel_label == "friendship":
                roles_ = [(f"{rel_label}:friend", players)]
            else:
                roles_ = [(f"{rel_label}:employee", players[1:]), (f"{rel_label}:employer", players[:1])]
            if i % 10 == 9:  # a relation playing a role in this one
                roles_.append((f"{rel_label}:witness", [rid(i - 1)]))
            has = [aid((i * 11) % n_attr)] if i % 4 == 0 else []
            put(encode_item(proto, relation(rid(i), rel_label, roles_, has)))
            r_cnt += 1
            roles += sum(len(p) for _, p in roles_)
            owned += len(has)
        sums = (e_cnt, a_cnt, r_cnt, roles, owned)
        if checksums:
            put(encode_checksums(proto, sums))
        f.write(buf)
    return sums


# ---------------------------------------------------------------- the canonical form


def _canon_value(msg, upgrade):
    case = msg.WhichOneof("value")
    if case is None:
        return None
    if case in ("string", "boolean", "integer"):
        return [case, getattr(msg, case)]
    if case == "double":
        return ["double", struct.pack("<d", msg.double).hex()]  # bit-exact: -0.0 is not 0.0
    if case == "datetime_millis":
        ms = msg.datetime_millis
        return ["datetime", ms // 1000, ms % 1000 * 1000000] if upgrade else ["datetime_millis", ms]
    if case == "decimal":
        return ["decimal", msg.decimal.integer, msg.decimal.fractional]
    if case == "date":
        return ["date", msg.date.num_days_since_ce]
    if case == "datetime":
        return ["datetime", msg.datetime.seconds, msg.datetime.nanos]
    if case == "datetime_tz":
        tz = msg.datetime_tz
        which = tz.WhichOneof("timezone")
        return ["datetime_tz", tz.datetime.seconds, tz.datetime.nanos, which, getattr(tz, which) if which else None]
    if case == "duration":
        return ["duration", msg.duration.months, msg.duration.days, msg.duration.nanos]
    return ["struct", msg.struct.struct_type_name]


def canon(path_or_bytes, upgrade=False, role_name_only=False):
    """The canonical form of a file: {"header": [version, db] | None, "checksums": [5] | None,
    "computed": [5], "items": sorted list}. Parsed with the 3.x messages, which
    read 2.x streams too (same numbers; long is integer, datetime is
    datetime_millis). UPGRADE: 2.x datetimes (millis) as 3.x datetimes (the
    comparison for 2.x -> 3.x); ROLE_NAME_ONLY: role labels without scope."""
    data = path_or_bytes
    if isinstance(data, str):
        with open(data, "rb") as f:
            data = f.read()
    header = checksums = None
    items = []
    n_headers = n_checksums = 0
    for off, body in read_delimited(data):
        it = V3.Item()
        it.ParseFromString(body)
        case = it.WhichOneof("item")
        if case == "header":
            header = [it.header.typedb_version, it.header.original_database]
            n_headers += 1
            continue
        if case == "checksums":
            c = it.checksums
            checksums = [c.entity_count, c.attribute_count, c.relation_count, c.role_count, c.ownership_count]
            n_checksums += 1
            continue
        if case is None:
            raise ValueError(f"item at byte {off}: no case set")
        x = getattr(it, case)
        has = sorted(o.id for o in x.attributes)
        roles = []
        value = None
        if case == "relation":
            for role in x.roles:
                label = role.label.split(":")[-1] if role_name_only else role.label
                roles += [[label, p.id] for p in role.players]
            roles.sort()
        if case == "attribute":
            value = _canon_value(x.value, upgrade)
        items.append([case, x.id, x.label, value, has, roles])
    items.sort(key=lambda i: json.dumps(i, sort_keys=True))
    computed = [sum(1 for i in items if i[0] == "entity"), sum(1 for i in items if i[0] == "attribute"),
                sum(1 for i in items if i[0] == "relation"), sum(len(i[5]) for i in items),
                sum(len(i[4]) for i in items)]
    return {"header": header, "checksums": checksums, "computed": computed, "items": items,
            "headers": n_headers, "checksum_items": n_checksums}


def stream_sums(path):
    """[checksums item or None, recomputed counts] of a file, read a block at a
    time (memory does not grow with the file)."""
    given, counts = None, [0, 0, 0, 0, 0]
    with open(path, "rb") as f:
        buf, pos = b"", 0
        while True:
            if len(buf) - pos < 1 << 16:
                buf = buf[pos:] + f.read(1 << 22)
                pos = 0
            if pos >= len(buf):
                break
            length, shift = 0, 0
            while True:
                b = buf[pos]
                pos += 1
                length |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            while len(buf) - pos < length:
                more = f.read(max(length, 1 << 22))
                if not more:
                    raise ValueError("truncated stream")
                buf += more
            it = V3.Item.FromString(buf[pos:pos + length])
            pos += length
            case = it.WhichOneof("item")
            if case == "checksums":
                c = it.checksums
                given = [c.entity_count, c.attribute_count, c.relation_count, c.role_count, c.ownership_count]
            elif case in ("entity", "attribute", "relation"):
                x = getattr(it, case)
                counts[{"entity": 0, "attribute": 1, "relation": 2}[case]] += 1
                counts[4] += len(x.attributes)
                if case == "relation":
                    counts[3] += sum(len(r.players) for r in x.roles)
    return [given, counts]


def per_label(items):
    """{label: {"kind", "count", "ownerships", "players"}} of canonical items."""
    out = {}
    for kind, _id, label, _v, has, roles in items:
        row = out.setdefault(label, {"kind": kind, "count": 0, "ownerships": 0, "players": 0})
        row["count"] += 1
        row["ownerships"] += len(has)
        row["players"] += len(roles)
    return out


def diff(a_items, b_items, limit=3):
    """A short text naming items only in one of two canonical item lists."""
    key = lambda i: json.dumps(i, sort_keys=True)  # noqa: E731
    a = {key(i) for i in a_items}
    b = {key(i) for i in b_items}
    only_a, only_b = sorted(a - b)[:limit], sorted(b - a)[:limit]
    return (f"{len(a - b)} only in the first, e.g. {only_a}; {len(b - a)} only in the second, e.g. {only_b}"
            if a != b else f"same set, counts {len(a_items)} vs {len(b_items)}")


# ---------------------------------------------------------------- self-check


def self_check():
    """The encoder against the decoder and against hand-made bytes."""
    assert varint(0) == b"\x00" and varint(127) == b"\x7f" and varint(300) == b"\xac\x02"
    fx = fixtures()
    for name, f in fx.items():
        data = f.encode()
        c = canon(data)
        assert c["computed"] == list(f.sums()), (name, c["computed"], f.sums())
        if f.checksums:
            assert c["checksums"] == c["computed"], name
        else:
            assert c["checksums"] is None, name
        assert (c["header"] is not None) == f.header, name
        if f.header:
            assert c["header"] == [f.version, f.database], name
            # the header is the first item, as 2.3+ importers require
            first = next(read_delimited(data))[1]
            assert first[0] == (15 << 3 | 2), name
    # order independence
    assert canon(fx["typedb3"].encode())["items"] == canon(fx["typedb3-reordered"].encode())["items"]
    assert fx["typedb3"].encode() != fx["typedb3-reordered"].encode()
    # a 2.x stream read with the 3.x messages: long is integer, datetime is datetime_millis
    b = encode_item("v2", attribute("V1", "born", ("datetime_millis", -1)))
    item = V3.Item()
    item.ParseFromString(b)
    assert item.attribute.value.datetime_millis == -1
    assert _canon_value(item.attribute.value, True) == ["datetime", -1, 999000000]
    # hand-made bytes: an entity {id "V1", label "p"}; a decimal -1.5 (zigzag sint64 -2 = 3)
    assert encode_item("v2", entity("V1", "p")) == bytes([0x12, 0x07, 0x0A, 0x02]) + b"V1" + bytes([0x12, 0x01]) + b"p"
    dec = encode_item("v3", attribute("", "", ("decimal", (-2, 5 * 10 ** 18))))
    assert bytes([0x32]) in dec and bytes([0x08, 0x03]) in dec
    # a datetime_tz offset is sint32 seconds east: -12615 zigzags to 25229
    tz = encode_item("v3", attribute("", "", ("datetime_tz", (0, 0, "offset", -12615))))
    assert bytes([0x18]) + varint(25229) in tz
    # the damaged files really are damaged
    bad = damaged(fx)
    for name in ("truncated", "truncated-head", "past-end"):
        try:
            list(read_delimited(bad[name]))
            raise AssertionError(f"{name} decodes")
        except ValueError:
            pass
    items = [V3.Item.FromString(body) for _, body in read_delimited(bad["unknown-case"])]
    assert sum(1 for i in items if i.WhichOneof("item") is None) == 1
    # the million-item generator's checksums against the decoder, on a small size
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"tdt-selfcheck-{os.getpid()}.typedb")
    try:
        for gen in ("typedb-3", "typedb-2"):
            sums = write_big(path, 2000, gen)
            c = canon(path)
            assert c["checksums"] == c["computed"] == list(sums), (gen, c["computed"], sums)
            assert stream_sums(path) == [list(sums), list(sums)]
            ids = {i[1] for i in c["items"]}
            assert len(ids) == len(c["items"]), "big: ids are unique"
            for _k, _id, _l, _v, has, roles in c["items"]:
                assert all(h in ids for h in has) and all(p in ids for _, p in roles), "big: dangling reference"
    finally:
        if os.path.exists(path):
            os.remove(path)
    return len(fx)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "fixtures":
        out, classes = argv[2], argv[3]
        load_classes(classes)
        os.makedirs(out, exist_ok=True)
        for name, f in fixtures().items():
            f.write(os.path.join(out, name + ".typedb"))
        for name, data in damaged(fixtures()).items():
            with open(os.path.join(out, "bad-" + name + ".typedb"), "wb") as fh:
                fh.write(data)
        return 0
    if cmd == "big":
        path, n, classes = argv[2], int(argv[3]), argv[4]
        load_classes(classes)
        gen = argv[argv.index("--generation") + 1] if "--generation" in argv else "typedb-3"
        sums = write_big(path, n, gen, checksums="--no-checksums" not in argv)
        print(json.dumps({"checksums": sums}))
        return 0
    if cmd == "canon":
        load_classes(argv[3])
        json.dump(canon(argv[2]), sys.stdout, indent=1)
        return 0
    if cmd == "sums":
        load_classes(argv[3])
        print(json.dumps(stream_sums(argv[2])))
        return 0
    if cmd == "self-check":
        load_classes(argv[2])
        print(f"typedb_stream: self-check passed ({self_check()} fixtures)")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
