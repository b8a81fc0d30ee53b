package extract

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
)

var metaCharsetRe = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)`)

// metaCharset finds a charset declared in an HTML <meta> near the top.
func metaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if m := metaCharsetRe.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

var htmlBlock = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "table": true, "section": true, "article": true, "header": true,
	"footer": true, "blockquote": true, "pre": true, "ul": true, "ol": true, "dl": true, "dt": true,
	"dd": true, "hr": true, "title": true, "form": true, "address": true, "caption": true,
}

// htmlText strips tags, drops script/style, decodes entities; block
// elements become line breaks and table cells tabs.
func htmlText(s string, stop func() bool) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var sb strings.Builder
	skip := 0
	for {
		if stop() {
			return sb.String()
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return sb.String()
		case html.TextToken:
			if skip == 0 {
				sb.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "template", "svg", "head":
				if tag == "head" {
					// Only <title> in head is text; keep it, skip the rest.
					break
				}
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case "td", "th":
				if tt == html.EndTagToken {
					sb.WriteByte('\t')
				}
			default:
				if htmlBlock[tag] {
					sb.WriteByte('\n')
				}
			}
			// Form values and image alt text carry data too.
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if skip == 0 && (string(k) == "value" || string(k) == "alt" || string(k) == "title" || string(k) == "placeholder") && len(bytes.TrimSpace(v)) > 0 {
					sb.WriteByte(' ')
					sb.Write(v)
					sb.WriteByte(' ')
				}
			}
		}
	}
}

// rtfNode reads an RTF document.
func (w *walker) rtfNode(n node) {
	data, err := w.load(n.origin, n.body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	text, ok := rtfText(data)
	if !ok {
		w.problem(n.origin, Malformed, "rtf document is truncated or unbalanced; text read was kept")
	}
	w.emit(n.origin, text)
}

// rtfSkip lists destinations whose content is not document text.
var rtfSkip = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true, "object": true,
	"themedata": true, "colorschememapping": true, "datastore": true, "latentstyles": true,
	"listtable": true, "listoverridetable": true, "rsidtbl": true, "generator": true, "xmlnstbl": true,
	"fldinst": true, "filetbl": true, "revtbl": true, "bkmkstart": true, "bkmkend": true, "pgdsctbl": true,
	"mmathPr": true, "wgrffmtfilter": true, "defchp": true, "defpap": true, "nonshppict": true,
}

type rtfState struct {
	skip     bool
	uc       int // bytes to skip after \uN
	font     int
	inFontTb bool
}

// rtfText strips control words, decodes \'hh in the declared code page
// (\ansicpg, or the current font's \fcharset), \uN as Unicode. ok is false
// for unbalanced groups (truncated document).
func rtfText(b []byte) (string, bool) {
	var sb strings.Builder
	var pending []byte // \'hh bytes awaiting decoding as a run (DBCS pairs)
	defaultCP := 1252
	fontCP := map[int]int{}
	st := rtfState{uc: 1}
	var stack []rtfState
	overflow := 0
	skipChars := 0
	curFontDef := -1
	var high uint16 // pending high surrogate from \uN

	cp := func() encoding.Encoding {
		if c, ok := fontCP[st.font]; ok {
			return codepageEncoding(c)
		}
		return codepageEncoding(defaultCP)
	}
	flush := func() {
		if len(pending) > 0 {
			sb.WriteString(decodeWith(cp(), pending))
			pending = pending[:0]
		}
	}
	out := func(s string) {
		if st.skip {
			return
		}
		flush()
		sb.WriteString(s)
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch c {
		case '{':
			flush()
			// Groups nested absurdly deep (a hostile "{{{{...") are
			// counted, not stacked, so memory stays bounded.
			if len(stack) < 1024 {
				stack = append(stack, st)
			} else {
				overflow++
			}
			i++
			// {\*\dest ...} is an ignorable destination.
			if i+1 < len(b) && b[i] == '\\' && b[i+1] == '*' {
				st.skip = true
				i += 2
			}
		case '}':
			flush()
			if overflow > 0 {
				overflow--
				i++
				continue
			}
			if len(stack) == 0 {
				return sb.String(), false
			}
			st = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			i++
		case '\\':
			i++
			if i >= len(b) {
				break
			}
			c2 := b[i]
			switch {
			case c2 == '\'':
				if i+2 < len(b) {
					if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
						if skipChars > 0 {
							skipChars--
						} else if !st.skip {
							pending = append(pending, byte(v))
						}
					}
				}
				i += 3
			case c2 >= 'a' && c2 <= 'z' || c2 >= 'A' && c2 <= 'Z':
				j := i
				for j < len(b) && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
					j++
				}
				word := string(b[i:j])
				k := j
				if k < len(b) && (b[k] == '-' || b[k] >= '0' && b[k] <= '9') {
					k++
					for k < len(b) && b[k] >= '0' && b[k] <= '9' {
						k++
					}
				}
				arg, hasArg := 0, k > j
				if hasArg {
					arg, _ = strconv.Atoi(string(b[j:k]))
				}
				if k < len(b) && b[k] == ' ' {
					k++
				}
				i = k
				switch word {
				case "ansicpg":
					defaultCP = arg
				case "fonttbl":
					st.inFontTb, st.skip = true, true
				case "f":
					if st.inFontTb {
						curFontDef = arg
					} else {
						flush()
						st.font = arg
					}
				case "fcharset":
					if st.inFontTb && curFontDef >= 0 {
						switch arg {
						case 136:
							fontCP[curFontDef] = 950
						case 134:
							fontCP[curFontDef] = 936
						case 0:
							fontCP[curFontDef] = 1252
						}
					}
				case "uc":
					st.uc = arg
				case "u":
					if arg < 0 {
						arg += 65536
					}
					if !st.skip {
						flush()
						u := uint16(arg)
						switch {
						case u >= 0xd800 && u < 0xdc00:
							high = u
						case u >= 0xdc00 && u < 0xe000 && high != 0:
							sb.WriteString(string(utf16.Decode([]uint16{high, u})))
							high = 0
						default:
							sb.WriteString(string(utf16.Decode([]uint16{u})))
						}
					}
					skipChars = st.uc
				case "par", "line", "sect", "page", "row":
					out("\n")
				case "tab", "cell":
					out("\t")
				case "emdash":
					out("—")
				case "endash":
					out("–")
				case "bullet":
					out("•")
				case "lquote", "rquote":
					out("'")
				case "ldblquote", "rdblquote":
					out("\"")
				case "bin":
					// \binN skips N raw bytes; a negative or absurd N
					// must not move backwards or past the end.
					if arg > 0 {
						i = min(i+arg, len(b))
					}
				default:
					if rtfSkip[word] {
						st.skip = true
					}
				}
				continue
			default:
				// Control symbols.
				switch c2 {
				case '\\', '{', '}':
					out(string(c2))
				case '~':
					out(" ")
				case '\n', '\r':
					out("\n")
				}
				i++
			}
		case '\r', '\n':
			i++
		default:
			if skipChars > 0 {
				skipChars--
			} else if !st.skip {
				if c >= 0x80 {
					pending = append(pending, c)
				} else {
					flush()
					sb.WriteByte(c)
				}
			}
			i++
		}
	}
	flush()
	return sb.String(), len(stack) == 0 && overflow == 0
}

// oleNode handles a Compound File (legacy Office, or an encrypted OOXML
// which Office wraps in CFB with EncryptionInfo/EncryptedPackage streams):
// the formats it knows are read record by record (ole.go).
func (w *walker) oleNode(n node) {
	data, err := w.load(n.origin, n.body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	w.compoundFile(n, data)
}
