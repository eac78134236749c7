#!/usr/bin/python3
"""Parses OpenFlow messages with os-ken (an independent implementation) and prints what
it understood, for Sluice's interop test: reads a JSON list of hex strings on stdin,
writes a JSON list of {"cls": class name, "msg": os-ken's to_jsondict()} or {"error": ...}.
"""
import json
import sys

from os_ken.ofproto import ofproto_parser
from os_ken.ofproto import ofproto_v1_3 as ofp
from os_ken.ofproto import ofproto_v1_3_parser


class FakeDatapath:
    ofproto = ofp
    ofproto_parser = ofproto_v1_3_parser
    id = 1


def main():
    out = []
    for h in json.load(sys.stdin):
        buf = bytes.fromhex(h)
        try:
            version, msg_type, msg_len, xid = ofproto_parser.header(buf)
            msg = ofproto_parser.msg(FakeDatapath(), version, msg_type, msg_len, xid, buf)
            if msg is None:
                out.append({'error': 'os-ken could not parse'})
            else:
                out.append({'cls': type(msg).__name__, 'msg': msg.to_jsondict()})
        except Exception as e:  # report, do not crash: the test asserts on it
            out.append({'error': repr(e)})
    json.dump(out, sys.stdout, default=repr)


if __name__ == '__main__':
    main()
