#!/usr/bin/env python3
"""Builds the legacy Office fixtures: flat OpenDocument files are written
here, then LibreOffice converts each to the legacy format and to its OOXML
twin (so tests can compare what both give). Run from this directory:
    python3 make.py   (needs soffice; LibreOffice 7.4 made the committed files)
"""
import os, subprocess, sys, tempfile, shutil
from xml.sax.saxutils import escape

def hkid(letter, digits):
    # Standard HKID check digit: space=36 weight 9 for one letter.
    vals = [36, ord(letter) - 55] + [int(c) for c in digits]
    s = sum(v * w for v, w in zip(vals, range(9, 1, -1)))
    r = 11 - s % 11
    return f"{letter}{digits}({'A' if r == 10 else '0' if r == 11 else r})"

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'office:version="1.2"')

def cell(v):
    if isinstance(v, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    if v == "":
        return '<table:table-cell/>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'

def fods(sheets):
    body = ''.join(
        f'<table:table table:name="{escape(name)}">' +
        ''.join('<table:table-row>' + ''.join(cell(v) for v in row) + '</table:table-row>' for row in rows) +
        '</table:table>' for name, rows in sheets)
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
            f'<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document>')

def fodt(paras, footnote=None):
    ps = ''.join(f'<text:p>{escape(p)}</text:p>' for p in paras)
    if footnote:
        ps += (f'<text:p>See note<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
               f'<text:note-body><text:p>{escape(footnote)}</text:p></text:note-body></text:note></text:p>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} office:mimetype="application/vnd.oasis.opendocument.text">'
            f'<office:body><office:text>{ps}</office:text></office:body></office:document>')

def fodp(slides):
    pages = ''
    for i, (title, lines, notes) in enumerate(slides):
        tb = ''.join(f'<text:p>{escape(l)}</text:p>' for l in lines)
        pages += (f'<draw:page draw:name="p{i+1}">'
                  f'<draw:frame svg:x="1cm" svg:y="1cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>{escape(title)}</text:p></draw:text-box></draw:frame>'
                  f'<draw:frame svg:x="1cm" svg:y="5cm" svg:width="20cm" svg:height="10cm"><draw:text-box>{tb}</draw:text-box></draw:frame>'
                  f'<presentation:notes><draw:frame presentation:class="notes" svg:x="1cm" svg:y="14cm" svg:width="18cm" svg:height="10cm"><draw:text-box><text:p>{escape(notes)}</text:p></draw:text-box></draw:frame></presentation:notes>'
                  f'</draw:page>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} office:mimetype="application/vnd.oasis.opendocument.presentation">'
            f'<office:body><office:presentation>{pages}</office:presentation></office:body></office:document>')

def customers():
    rows = [["Name", "姓名", "Phone", "Mobile (text)", "Email", "HKID"]]
    people = [("Chan Tai Man", "陳大文"), ("Wong Siu Ming", "黃小明"), ("Li Wei", "李伟"), ("Zhang Min", "张敏"),
              ("Cheung Ka Yan", "張嘉欣"), ("Lau Chi Keung", "劉志強"), ("Ho Mei Ling", "何美玲"), ("Wang Fang", "王芳")]
    for i, (en, zh) in enumerate(people):
        rows.append([en, zh, 91234560 + i, f"+852 6123 45{i:02d}", f"{en.split()[0].lower()}{i}@example.com",
                     hkid("ACDEKPRZ"[i], f"{123456 + 1111 * i:06d}")])
    return [("客戶 Customers", rows)]

def financial():
    rows = [["資產負債表 Balance Sheet", "", ""], ["項目", "2025", "2024"],
            ["現金及現金等價物", 12345678.5, 11000000], ["應收賬款", 3456789, 3012345.25],
            ["存貨", 987654, 876543], ["資產總值", 16790121.5, 14888888.25]]
    rows2 = [["资产负债表（简体）", "", ""], ["项目", "2025", "2024"],
             ["营业收入", 52345678, 48000000], ["营业成本", 31234567, 29000000],
             ["净利润", 8765432.75, 7654321], ["每股收益", 1.25, 0.98]]
    return [("資產負債表", rows), ("利润表", rows2)]

def bigsst():
    rows = [["Name", "HKID", "Note"]]
    for i in range(260):
        rows.append([f"客戶{i:04d} 陳{chr(0x4e00 + i)}", hkid("ABCDEGHKMPRSTVY"[i % 15], f"{(i * 7919) % 1000000:06d}"),
                     f"note {i} for customer record number {i:05d}" if i != 89 else "note 89 shrt"])
    # Row 89's note is shortened so that the SST's first CONTINUE boundary
    # (LibreOffice 7.4 cuts at 8224 bytes) falls inside row 90's HKID.
    return [("Big", rows)]

def medical():
    paras = ["醫療報告 Medical Report", "病人姓名：陳大文", f"香港身份證號碼：{hkid('A', '123456')}",
             "診斷：第二型糖尿病，高血壓。處方：二甲雙胍 500mg，每日兩次。",
             "简体：患者诊断为糖尿病，建议复诊。", "Patient Chan Tai Man was admitted to Queen Mary Hospital."]
    paras += [f"Paragraph {i}: follow-up visit notes, blood pressure 130/85, HbA1c 7.{i % 10}%." for i in range(60)]
    return fodt(paras, footnote=f"Footnote: insurance claim for {hkid('C', '234567')}")

def tables():
    # A Word table with empty cells at a row's start, middle and end, and
    # a row of empty cells: in a .doc each is a cell mark (0x07) right
    # after another, like the mark that ends a row.
    rows = [["Name", "姓名", "HKID", "Note"],
            ["Chan Tai Man", "陳大文", hkid('A', '123456'), ""],
            ["", "黃小明", hkid('D', '345678'), "VIP"],
            ["Li Wei", "", "", ""],
            ["", "", "", ""],
            ["Ho Mei Ling", "何美玲", hkid('K', '765432'), "復診"]]
    cell = lambda v: f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>' if v else '<table:table-cell><text:p/></table:table-cell>'
    table = ('<table:table table:name="Patients"><table:table-column table:number-columns-repeated="4"/>' +
             ''.join('<table:table-row>' + ''.join(cell(v) for v in row) + '</table:table-row>' for row in rows) +
             '</table:table>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} office:mimetype="application/vnd.oasis.opendocument.text">'
            f'<office:body><office:text><text:p>病人名單 Patient list</text:p>{table}<text:p>End of list</text:p></office:text></office:body></office:document>')

def slides():
    return fodp([("季度業績 Quarterly Results", ["營業收入增長 12%", "客戶：黃小明 " + hkid('D', '345678')], "Speaker notes: 不要外傳 confidential figures 5,000,000"),
                 ("简体幻灯片", ["净利润 8,765,432", "Contact: wong@example.com"], "备注：内部资料")])

PROFILE = ""

def convert(src, fmt, out):
    # A profile with thumbnails off: a .ppt's preview image alone is ~400 KB.
    subprocess.run(["soffice", "-env:UserInstallation=file://" + PROFILE, "--headless", "--convert-to", fmt, "--outdir", out, src], check=True, capture_output=True)

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp()
    global PROFILE
    PROFILE = os.path.join(tmp, "profile")
    os.makedirs(os.path.join(PROFILE, "user"))
    with open(os.path.join(PROFILE, "user", "registrymodifications.xcu"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry">'
                '<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="GenerateThumbnail" oor:op="fuse">'
                '<value>false</value></prop></item></oor:items>')
    jobs = [("customers.fods", fods(customers()), ["xls", "xlsx"]),
            ("financial.fods", fods(financial()), ["xls", "xlsx"]),
            ("bigsst.fods", fods(bigsst()), ["xls", "xlsx"]),
            ("medical.fodt", medical(), ["doc", "docx"]),
            ("slides.fodp", slides(), ["ppt", "pptx"]),
            ("tables.fodt", tables(), ["doc", "docx"])]
    # Names on the command line (e.g. `python3 make.py tables`) remake
    # only those fixtures.
    only = set(sys.argv[1:])
    for name, text, fmts in jobs:
        if only and name.split(".")[0] not in only:
            continue
        src = os.path.join(tmp, name)
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        for fmt in fmts:
            convert(src, fmt, here)
    # The .ppt carries a ~400 KB uncompressed preview bitmap: kept gzipped.
    if not only or "slides" in only:
        subprocess.run(["gzip", "-9", "-f", os.path.join(here, "slides.ppt")], check=True)
    shutil.rmtree(tmp)

main()
