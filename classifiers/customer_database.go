package classifiers

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// customer_database: a collection of records about people (customers,
// members, clients, tenants, owners, parents, patients' contacts, staff),
// each holding personal data. count is the number of person records.
//
// Three readings, each linear in the text it looks at:
//
//   - tables with a header row: CSV/TSV, sheets (extract writes one row a
//     line, cells tab-separated: XLSX, ODS, HTML, DOCX and PPTX tables),
//     markdown tables in chat, text aligned with runs of spaces. A header
//     line is looked for only where the shared pass saw a header word
//     (姓名, 手機, email, address ...). Its cells name the columns; the rows
//     under it are records when they name a person and carry personal data
//     in a column that holds it (mobile, personal e-mail, home address,
//     birthday, ID, card, policy or account number).
//   - JSON arrays and JSON Lines: extract gives every field its own segment
//     ("json:$.customers[3].phone", "jsonl:4:$.email"); segments are grouped
//     into records by their path and the field names read as a header.
//   - no header: runs of at least five lines that each carry a personal
//     value of the same kinds (mobile, resident ID, HKID, card, personal
//     e-mail) next to other text (a name).
//
// What is not personal data keeps a table quiet: office and fixed lines,
// extensions, a directory's columns (department, title, extension), e-mail
// addresses that nearly all share one company domain.

// CustomerDatabase is the customer-database classifier.
const CustomerDatabase = "customer_database"

// colKind is what a header cell (or JSON field name) says a column holds.
type colKind uint8

const (
	colNone colKind = iota
	colWorkPhone
	colMobile
	colPhone
	colEmail
	colBirthday
	colAddress
	colIdentity
	colCard
	colAccount
	colRecordID
	colDirectory
	colThing // a column naming a shop, product, venue: not a person
	colPersonName
	colPerson
	colKinds
	// vcardKind marks the "BEGIN:VCARD" hit of the shared pass (contact
	// exports); it classifies no cell.
	vcardKind = colKinds + 1
)

// cdbSections in the order a cell is tested: the first section with a
// term inside the cell decides ("客戶編號" is a record number, not a person;
// "office phone" is not a mobile).
var cdbSections = []struct {
	name string
	kind colKind
	// trigger: a hit of this section in the shared pass makes its line a
	// header candidate. Generic words (member, no, title) only classify.
	trigger bool
}{
	{"workphone", colWorkPhone, false},
	{"mobile", colMobile, true},
	{"phone", colPhone, true},
	{"email", colEmail, true},
	{"birthday", colBirthday, true},
	{"address", colAddress, true},
	{"identity", colIdentity, true},
	{"card", colCard, true},
	{"account", colAccount, true},
	{"recordid", colRecordID, false},
	{"directory", colDirectory, false},
	{"thing", colThing, false},
	{"name", colPersonName, true},
	{"person", colPerson, false},
}

// personal reports whether a column of this kind holds personal data.
func (k colKind) personal() bool {
	switch k {
	case colMobile, colPhone, colEmail, colBirthday, colAddress, colIdentity, colCard, colAccount:
		return true
	}
	return false
}

type cdbTerm struct {
	text  string // folded
	kind  colKind
	ascii bool // match as a whole word
}

type customerDBClassifier struct {
	opts  options
	terms []cdbTerm    // every header term, in section order
	vocab []vocabEntry // the trigger terms, for the shared pass
}

func newCustomerDBClassifier(o options) (*customerDBClassifier, error) {
	kinds := map[string]uint8{"vcard": uint8(vcardKind)}
	for _, s := range cdbSections {
		kinds[s.name] = uint8(s.kind)
	}
	all, err := loadDict("customer_database", kinds)
	if err != nil {
		return nil, err
	}
	c := &customerDBClassifier{opts: o}
	for _, v := range all {
		if v.kind == uint8(vcardKind) {
			c.vocab = append(c.vocab, v)
		}
	}
	for _, s := range cdbSections {
		for _, v := range all {
			if colKind(v.kind) != s.kind {
				continue
			}
			f := strings.NewReplacer("_", " ", "-", " ").Replace(string(foldString(v.term)))
			c.terms = append(c.terms, cdbTerm{text: f, kind: s.kind, ascii: f[0] < utf8.RuneSelf})
			if s.trigger {
				c.vocab = append(c.vocab, v)
			}
		}
	}
	return c, nil
}

func (c *customerDBClassifier) name() string             { return CustomerDatabase }
func (c *customerDBClassifier) vocabulary() []vocabEntry { return c.vocab }

// cellKind classifies one header cell or field name; term is the matched
// header term (for the signal).
func (c *customerDBClassifier) cellKind(cell string) (colKind, string) {
	cell = strings.TrimSpace(cell)
	if cell == "" || len(cell) > 48 {
		return colNone, ""
	}
	b := foldString(cell)
	for i, ch := range b {
		if ch == '_' || ch == '-' || ch == ' ' {
			b[i] = ' '
		}
	}
	// camelCase field names: "mobileNo" -> "mobile no".
	if strings.IndexFunc(cell, func(r rune) bool { return r >= 'A' && r <= 'Z' }) > 0 {
		var nb []byte
		for i := 0; i < len(cell); i++ {
			if i > 0 && cell[i] >= 'A' && cell[i] <= 'Z' && cell[i-1] >= 'a' && cell[i-1] <= 'z' {
				nb = append(nb, ' ')
			}
			nb = append(nb, b[i])
		}
		b = nb
	}
	s := string(b)
	for _, t := range c.terms {
		if containsTerm(s, t.text, t.ascii) {
			return t.kind, t.text
		}
	}
	return colNone, ""
}

// cellMemo is one cell's cellKind.
type cellMemo struct {
	kind colKind
	term string
}

// cellKindMemo is cellKind remembered in memo (up to 4096 distinct cells):
// a document repeating "Name,Diagnosis" on every line looked each cell's
// terms up again on every line.
func (c *customerDBClassifier) cellKindMemo(cell string, memo map[string]cellMemo) (colKind, string) {
	if m, ok := memo[cell]; ok {
		return m.kind, m.term
	}
	k, t := c.cellKind(cell)
	if len(memo) < 4096 {
		memo[cell] = cellMemo{k, t}
	}
	return k, t
}

// containsTerm: sub inside s, as a whole word when ascii.
func containsTerm(s, sub string, ascii bool) bool {
	for from := 0; ; {
		k := strings.Index(s[from:], sub)
		if k < 0 {
			return false
		}
		i := from + k
		j := i + len(sub)
		if !ascii || ((i == 0 || !isLetter(s[i-1])) && (j == len(s) || !isLetter(s[j]))) {
			return true
		}
		from = i + 1
	}
}

// cdbRun is what one reading found: records and why.
type cdbRun struct {
	records int
	shape   string
	headers []string
	origin  string // JSON runs: the first record's path (tables: the segment's)
}

func (c *customerDBClassifier) classify(doc *document) (Finding, bool) {
	var runs []cdbRun
	var firstOrigin string
	firstOff := 0
	for si := range doc.segs {
		sg := &doc.segs[si]
		n0 := len(runs)
		var covered [][2]int // line spans read as tables
		runs, covered = c.tables(sg, doc.hitsOf(si, clsCustomerDB), runs)
		runs = c.valueLines(sg, covered, len(doc.hitsOf(si, clsPhone)) > 0, runs)
		if len(runs) > n0 && firstOrigin == "" {
			firstOrigin = sg.origin
			if len(covered) > 0 {
				firstOff = covered[0][0]
			}
		}
	}
	runs = c.jsonRecords(doc, runs)
	total, withHeader := 0, false
	shapes := map[string]bool{}
	headers := map[string]bool{}
	for _, r := range runs {
		total += r.records
		shapes[r.shape] = true
		if len(r.headers) > 0 {
			withHeader = true
		}
		for _, h := range r.headers {
			headers[h] = true
		}
	}
	if total < 3 {
		return Finding{}, false
	}
	f := Finding{Classifier: CustomerDatabase, Count: total, Confidence: Low}
	if total >= 5 {
		f.Confidence = Medium
		if withHeader {
			f.Confidence = High
		}
	}
	f.Signals = append(f.Signals, fmt.Sprintf("rows:%d", total))
	for i, h := range uniqueSorted(headers) {
		if i == 8 {
			break
		}
		f.Signals = append(f.Signals, "header:"+h)
	}
	for _, s := range uniqueSorted(shapes) {
		f.Signals = append(f.Signals, "shape:"+s)
	}
	if c.opts.maxSamples > 0 {
		if firstOrigin == "" {
			for _, r := range runs {
				if r.origin != "" {
					firstOrigin = r.origin
					break
				}
			}
		}
		f.Samples = []Sample{{Masked: fmt.Sprintf("%d person records", total), Origin: firstOrigin, Offset: firstOff}}
	}
	return f, true
}

// lastNewline is strings.LastIndexByte(s, '\n'), eight bytes a step: Go
// has no assembly for LastIndexByte on amd64, and its byte loop was a
// few percent of classifying business text (lineAt walks back over long
// lines). A word holds a '\n' exactly when x^'\n' has a zero byte.
func lastNewline(s string) int {
	i := len(s)
	for i >= 8 {
		x := load64(s, i-8) ^ (lo7 * '\n')
		if (x-lo7)&^x&hi8 != 0 {
			break
		}
		i -= 8
	}
	return strings.LastIndexByte(s[:i], '\n')
}

// lineAt returns the line [ls, le) holding text[i].
func lineAt(text string, i int) (int, int) {
	ls := lastNewline(text[:i]) + 1
	le := strings.IndexByte(text[i:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += i
	}
	return ls, le
}

// Delimiters of a table line.
const (
	delimTab = iota + 1
	delimPipe
	delimComma
	delimSemicolon
	delimSpaces // runs of two or more spaces, or ideographic spaces
)

var delimNames = [...]string{"", "tsv", "markdown", "csv", "csv", "aligned"}

// pickDelim chooses how a header line is split.
func pickDelim(line string) int {
	switch {
	case strings.IndexByte(line, '\t') >= 0:
		return delimTab
	case strings.Count(line, "|") >= 2:
		return delimPipe
	case strings.IndexByte(line, ',') >= 0:
		return delimComma
	case strings.IndexByte(line, ';') >= 0:
		return delimSemicolon
	case strings.Contains(line, "  ") || strings.Contains(line, "\u3000"):
		return delimSpaces
	}
	return 0
}

// splitCells cuts a line into at most 64 cells of at most maxCell bytes;
// ok is false when a cell is longer (prose, not a table row).
func splitCells(line string, delim int, maxCell int, dst []string) ([]string, bool) {
	dst = dst[:0]
	line = strings.TrimRight(line, "\r")
	if delim == delimPipe {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "|")
		line = strings.TrimSuffix(line, "|")
	}
	ok := true
	add := func(c string) bool {
		dst, ok = addCell(dst, c, maxCell)
		return ok
	}
	switch delim {
	case delimComma, delimSemicolon:
		sep := byte(',')
		if delim == delimSemicolon {
			sep = ';'
		}
		start, inQ := 0, false
		for i := 0; i < len(line); i++ {
			switch {
			case line[i] == '"':
				inQ = !inQ
			case line[i] == sep && !inQ:
				if !add(strings.Trim(line[start:i], `" `)) {
					return dst, false
				}
				start = i + 1
			}
		}
		if !add(strings.Trim(line[start:], `" `)) {
			return dst, false
		}
	case delimSpaces:
		start := 0
		for i := 0; i < len(line); {
			gap := 0
			switch {
			case strings.HasPrefix(line[i:], "\u3000"):
				gap = 3
				for strings.HasPrefix(line[i+gap:], "\u3000") || (i+gap < len(line) && line[i+gap] == ' ') {
					if line[i+gap] == ' ' {
						gap++
					} else {
						gap += 3
					}
				}
			case line[i] == ' ' && i+1 < len(line) && line[i+1] == ' ':
				for i+gap < len(line) && line[i+gap] == ' ' {
					gap++
				}
			}
			if gap == 0 {
				i++
				continue
			}
			if i > start && !add(line[start:i]) {
				return dst, false
			}
			i += gap
			start = i
		}
		if start < len(line) && !add(line[start:]) {
			return dst, false
		}
	default:
		sep := "\t"
		if delim == delimPipe {
			sep = "|"
		}
		for {
			k := strings.Index(line, sep)
			if k < 0 {
				break
			}
			if !add(line[:k]) {
				return dst, false
			}
			line = line[k+1:]
		}
		if !add(line) {
			return dst, false
		}
	}
	return dst, true
}

func addCell(dst []string, c string, maxCell int) ([]string, bool) {
	c = strings.TrimSpace(c)
	if len(c) > maxCell || len(dst) == 64 {
		return dst, false
	}
	return append(dst, c), true
}

// header is a recognised header row.
type header struct {
	kinds     []colKind
	terms     []string
	delim     int
	directory bool // the table is a staff or department directory
	person    bool // some column names the person
	places    bool // the rows are shops, products, venues: no person records
}

// readHeader judges a line as a header row: at least two cells, two of
// them known, a column naming the person (or two personal columns) and one
// personal column.
func (c *customerDBClassifier) readHeader(line string, cells []string, memo map[string]cellMemo) (header, bool) {
	var h header
	h.delim = pickDelim(line)
	if h.delim == 0 {
		return h, false
	}
	cells, ok := splitCells(line, h.delim, 48, cells)
	if !ok || len(cells) < 2 {
		return h, false
	}
	known, personalCols, thing := 0, 0, false
	for _, cell := range cells {
		if countDigits(cell) >= 5 {
			return h, false // a record ("電話：91067850"), not a header
		}
		k, t := c.cellKindMemo(cell, memo)
		h.kinds = append(h.kinds, k)
		if k != colNone {
			known++
			h.terms = append(h.terms, t)
		}
		switch {
		case k.personal():
			personalCols++
		case k == colPersonName || k == colPerson:
			h.person = true
		case k == colDirectory:
			h.directory = true
		case k == colThing:
			thing = true
		}
	}
	if thing && !h.person {
		// A list of shops, hotels, products with addresses: read as a
		// table (so its lines are not read again as values) with no
		// person records.
		h.places = true
		return h, known >= 2
	}
	// A column naming the person and another known one (the values may
	// still show a mobile or ID in a column the header does not name), or
	// two personal columns.
	if known < 2 || (!h.person && personalCols < 2) {
		return h, false
	}
	return h, true
}

// tables reads every header row the shared pass pointed at and the rows
// under it. covered returns the line spans it consumed.
func (c *customerDBClassifier) tables(sg *segView, hits []termHit, runs []cdbRun) ([]cdbRun, [][2]int) {
	if len(hits) == 0 {
		return runs, nil // most segments: no maps to make
	}
	var covered [][2]int
	text := sg.text
	done := 0 // lines before this offset were judged
	var cells []string
	memo := map[string]cellMemo{} // a header repeated on every line is judged once
	kinds := kindCache{}          // and a label of "label: value" lines
	vcards := 0
	for _, h := range hits {
		if int(h.start) < done {
			continue
		}
		if h.kind == uint8(vcardKind) {
			ok, end := vcardRecord(text, int(h.end))
			if ok {
				vcards++
			}
			done = end
			continue
		}
		ls, le := lineAt(text, int(h.start))
		done = le + 1
		if le-ls > 4096 {
			continue
		}
		hd, ok := c.readHeader(text[ls:le], cells, memo)
		if !ok {
			// "姓名：陳大文" / "Mobile: 9123 4567": records written one
			// field a line.
			if _, _, _, keyed := c.keyedLineCached(text[ls:le], kinds); keyed {
				n, end, terms := c.keyedRecords(text, ls)
				done = max(done, end) // each line is read once
				if n >= 3 {
					covered = append(covered, [2]int{ls, end})
					runs = append(runs, cdbRun{records: n, shape: "keyed", headers: terms})
				}
			}
			continue
		}
		n, end := c.rows(text, le+1, &hd)
		done = max(done, end)
		covered = append(covered, [2]int{ls, end})
		if n > 0 {
			runs = append(runs, cdbRun{records: n, shape: delimNames[hd.delim], headers: hd.terms})
		}
	}
	if vcards >= 3 {
		runs = append(runs, cdbRun{records: vcards, shape: "vcard", headers: []string{"vcard"}})
	}
	return runs, covered
}

// vcardRecord reads one vCard from after its BEGIN:VCARD: a person (FN or
// N) with a phone, e-mail, address or birthday is a record. end is the
// offset after END:VCARD (or where the next card begins).
func vcardRecord(text string, p int) (ok bool, end int) {
	rest := text[p:]
	// Bounded by the next card first, so that cards without an END are
	// each read once.
	e := len(rest)
	if k := strings.Index(rest, "BEGIN:VCARD"); k >= 0 {
		e = k
	}
	if k := strings.Index(rest[:e], "END:VCARD"); k >= 0 {
		e = k + len("END:VCARD")
	}
	named, personal := false, false
	for _, line := range strings.Split(rest[:e], "\n") {
		line = strings.TrimSpace(line)
		up := strings.ToUpper(line[:min(len(line), 6)])
		switch {
		case strings.HasPrefix(up, "FN:") || strings.HasPrefix(up, "FN;") || strings.HasPrefix(up, "N:") || strings.HasPrefix(up, "N;"):
			named = true
		case strings.HasPrefix(up, "TEL"), strings.HasPrefix(up, "EMAIL"), strings.HasPrefix(up, "ADR"), strings.HasPrefix(up, "BDAY"):
			personal = true
		}
	}
	return named && personal, p + e
}

// kindCache remembers the kinds of labels already classified: keyed
// records repeat the same few labels.
type kindCache map[string]colKind

// keyedLineCached reads "label: value" (or "label：value") with a known
// label: its kind, label and value. cache (may be nil) keeps the kinds
// of labels already judged.
func (c *customerDBClassifier) keyedLineCached(line string, cache kindCache) (colKind, string, string, bool) {
	line = strings.TrimSpace(line)
	i := strings.IndexByte(line, ':')
	w := 1
	if j := strings.Index(line, "："); j >= 0 && (i < 0 || j < i) {
		i, w = j, len("：")
	}
	if i <= 0 || i > 36 || strings.ContainsAny(line[:i], "\t\u3000") || strings.Contains(line[:i], "  ") {
		return colNone, "", "", false
	}
	label := line[:i]
	k, ok := cache[label]
	if !ok {
		k, _ = c.cellKind(label)
		if cache != nil && len(cache) < 256 {
			cache[label] = k
		}
	}
	v := strings.TrimSpace(line[i+w:])
	if k == colNone || v == "" {
		return colNone, "", "", false
	}
	return k, label, v, true
}

// keyedRecords reads records written one "label: value" a line from offset
// p, a record ending where a label it already has comes again, until a line
// that is neither keyed, blank nor a short separator ("---", "2.").
func (c *customerDBClassifier) keyedRecords(text string, p int) (n, end int, terms []string) {
	var seen [colKinds]bool
	named, personal, work, workable, fields := false, false, false, false, 0
	keys := map[string]bool{}
	cache := kindCache{}
	signalled := map[string]bool{} // labels whose term is in keys
	flush := func() {
		if !work && workable {
			personal = true
		}
		if personal && fields >= 2 && (named || fields >= 3) {
			n++
		}
		seen = [colKinds]bool{}
		named, personal, work, workable, fields = false, false, false, false, 0
	}
	for p < len(text) {
		le := strings.IndexByte(text[p:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += p
		}
		line := text[p:le]
		k, label, v, ok := c.keyedLineCached(line, cache)
		if !ok {
			if t := strings.TrimSpace(line); t != "" && utf8.RuneCountInString(t) > 4 {
				break
			}
			p = le + 1
			continue
		}
		if seen[k] && fields > 0 {
			flush()
		}
		seen[k] = true
		fields++
		if !signalled[label] && len(keys) < 8 && len(signalled) < 256 {
			signalled[label] = true
			if _, t := c.cellKind(label); t != "" {
				keys[t] = true
			}
		}
		switch k {
		case colPersonName, colPerson:
			named = named || hasLetters(v)
		case colDirectory:
			work = true
		case colMobile:
			workable = workable || countDigits(v) >= 7
		case colPhone:
			workable = workable || personalPhone(v)
		case colEmail:
			workable = workable || strings.IndexByte(v, '@') > 0
		case colAddress:
			workable = workable || utf8.RuneCountInString(v) >= 4
		case colBirthday:
			personal = personal || countDigits(v) >= 2
		case colIdentity, colCard, colAccount:
			personal = personal || countDigits(v) >= 3
		}
		p = le + 1
	}
	flush()
	return n, min(p, len(text)), uniqueSorted(keys)
}

// rows counts the person records under a header, from offset p, until the
// table ends (a blank line or a line of another shape); it returns the
// offset after the table.
func (c *customerDBClassifier) rows(text string, p int, hd *header) (int, int) {
	var cells []string
	var emails []string
	type row struct{ personal, emailOnly bool }
	var rs []row
	for p < len(text) {
		le := strings.IndexByte(text[p:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += p
		}
		line := text[p:le]
		if strings.TrimSpace(line) == "" {
			if hd.delim == delimSpaces || len(rs) == 0 {
				// PDFs and aligned text put blank lines between rows.
				if le < len(text) && len(rs) < 1<<20 {
					p = le + 1
					continue
				}
			}
			break
		}
		if hd.delim == delimPipe && strings.Trim(line, "|-: \t") == "" {
			p = le + 1
			continue
		}
		if pickDelim(line) == 0 && hd.delim != delimSpaces {
			break
		}
		var ok bool
		cells, ok = splitCells(line, hd.delim, 512, cells)
		if !ok || len(cells) < 2 || (hd.delim != delimSpaces && len(cells)*2 < len(hd.kinds)) {
			break
		}
		var r row
		named := !hd.person
		var rowEmail string
		for i, cell := range cells {
			if i >= len(hd.kinds) || cell == "" {
				continue
			}
			k := hd.kinds[i]
			switch k {
			case colPersonName, colPerson:
				if hasLetters(cell) {
					named = true
				}
				if k == colPerson && !hd.directory && countDigits(cell) >= 8 && personalValue(cell) {
					r.personal = true // "Contact: 91234567"
				}
			case colMobile:
				r.personal = r.personal || (countDigits(cell) >= 7 && !hd.directory)
			case colPhone:
				if !hd.directory && personalPhone(cell) {
					r.personal = true
				}
			case colEmail:
				if !hd.directory && strings.IndexByte(cell, '@') > 0 {
					rowEmail = cell
				}
			case colAddress:
				r.personal = r.personal || (utf8.RuneCountInString(cell) >= 4 && !hd.directory)
			case colBirthday:
				r.personal = r.personal || countDigits(cell) >= 2
			case colIdentity, colCard, colAccount:
				r.personal = r.personal || countDigits(cell) >= 3
			default:
				// "Contact" or an unnamed column holding a mobile or ID.
				if !hd.directory && countDigits(cell) >= 8 && personalValue(cell) {
					r.personal = true
				}
			}
		}
		if named {
			if !r.personal && rowEmail != "" {
				r.emailOnly = true
			}
			if rowEmail != "" {
				emails = append(emails, rowEmail)
			}
			rs = append(rs, r)
		}
		p = le + 1
	}
	if hd.places {
		return 0, min(p, len(text))
	}
	personalEmail := !companyDomain(emails)
	n := 0
	for _, r := range rs {
		if r.personal || (r.emailOnly && personalEmail) {
			n++
		}
	}
	return n, min(p, len(text))
}

func hasLetters(s string) bool {
	for _, r := range s {
		if r >= 0x3400 || isLetter(byte(r)) && r < utf8.RuneSelf {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// personalPhone: a generic phone cell is personal contact data when it
// holds a mobile number, or a number that is no Hong Kong fixed line.
func personalPhone(cell string) bool {
	if countDigits(cell) < 7 {
		return false
	}
	for _, m := range scanIdentifiers(cell, nil) {
		switch m.kind {
		case idPhoneCN:
			return true
		case idPhoneHK:
			return m.flags&idMobile != 0
		}
	}
	// Numbers in other countries' international form: +44 7700 900123.
	if i := strings.IndexByte(cell, '+'); i >= 0 && !strings.HasPrefix(cell[i:], "+852") && !strings.HasPrefix(cell[i:], "+86") {
		return countDigits(cell[i:]) >= 9
	}
	return false
}

// personalValue: the cell holds a mobile, resident ID, card or HKID-free
// personal identifier the scanner recognises.
func personalValue(cell string) bool {
	for _, m := range scanIdentifiers(cell, nil) {
		switch {
		case m.kind == idPhoneCN, m.kind == idPRC, m.kind == idCard, m.kind == idPhoneHK && m.flags&idMobile != 0:
			return true
		}
	}
	return false
}

// freeMail are consumer mailbox providers: an address there is personal.
var freeMail = map[string]bool{
	"gmail.com": true, "yahoo.com": true, "yahoo.com.hk": true, "hotmail.com": true, "outlook.com": true,
	"live.com": true, "icloud.com": true, "me.com": true, "qq.com": true, "163.com": true, "126.com": true,
	"sina.com": true, "sina.cn": true, "sohu.com": true, "foxmail.com": true, "aliyun.com": true, "139.com": true,
	"netvigator.com": true, "hkbn.net": true, "ymail.com": true, "msn.com": true, "protonmail.com": true, "yeah.net": true,
}

// companyDomain reports whether nearly all (4 in 5) of at least three
// addresses share one domain that is not a consumer provider: a staff
// list, not customers' own mailboxes.
func companyDomain(emails []string) bool {
	if len(emails) < 3 {
		return false
	}
	count := map[string]int{}
	best, top := "", 0
	for _, e := range emails {
		at := strings.LastIndexByte(e, '@')
		if at < 0 {
			continue
		}
		d := strings.ToLower(strings.TrimRight(e[at+1:], " >;,)"))
		count[d]++
		if count[d] > top {
			best, top = d, count[d]
		}
	}
	return !freeMail[best] && top*5 >= len(emails)*4
}

// valueLines reads runs of lines outside the tables that each carry a
// personal value (mobile, resident ID, HKID, card, e-mail) and other text.
//
// Eight unbroken digits are as often item, account or reference numbers as
// Hong Kong mobiles: without +852 or grouping they count only in a segment
// that mentions a phone (phoneWord).
func (c *customerDBClassifier) valueLines(sg *segView, covered [][2]int, phoneWord bool, runs []cdbRun) []cdbRun {
	if len(sg.ids)+len(sg.hkids) < 5 {
		return runs
	}
	text := sg.text
	type line struct {
		start, end int
		kinds      uint16
		email      string
		key        uint64 // the line's first value: one person per value
	}
	var lines []line
	add := func(start, end int, k idKind, email string, key uint64) {
		for _, cv := range covered {
			if start >= cv[0] && start < cv[1] {
				return
			}
		}
		if n := len(lines); n > 0 && start < lines[n-1].end {
			lines[n-1].kinds |= 1 << k
			return
		}
		ls, le := lineAt(text, start)
		lines = append(lines, line{start: ls, end: le, kinds: 1 << k, email: email, key: key})
	}
	// Merge the two sorted lists of values.
	ids, hks := sg.ids, sg.hkids
	for len(ids) > 0 || len(hks) > 0 {
		if len(hks) > 0 && (len(ids) == 0 || hks[0].start < int(ids[0].start)) {
			if hks[0].valid && hks[0].issued {
				add(hks[0].start, hks[0].end, idKind(15), "", hks[0].key64())
			}
			hks = hks[1:]
			continue
		}
		m := ids[0]
		ids = ids[1:]
		switch {
		case m.kind == idPhoneHK && m.flags&(idIntl|idGrouped) == 0 && !phoneWord:
		case m.kind == idPhoneCN, m.kind == idPhoneHK && m.flags&idMobile != 0, m.kind == idPRC, m.kind == idCard:
			add(int(m.start), int(m.end), m.kind, "", m.key)
		case m.kind == idEmail:
			add(int(m.start), int(m.end), m.kind, text[m.start:m.end], m.key)
		}
	}
	// Runs of consecutive lines (blank lines between allowed) with the same
	// kinds of values and a name-like rest.
	flush := func(run []line) {
		if len(run) < 5 {
			return
		}
		var emails []string
		for _, l := range run {
			if l.email != "" {
				emails = append(emails, l.email)
			}
		}
		onlyEmail := run[0].kinds == 1<<idEmail
		if onlyEmail && companyDomain(emails) {
			return
		}
		// The same number on many lines is one person (a chat, a log).
		keys := map[uint64]bool{}
		for _, l := range run {
			keys[l.key] = true
		}
		if len(keys) >= 5 {
			runs = append(runs, cdbRun{records: len(keys), shape: "lines"})
		}
	}
	var run []line
	for _, l := range lines {
		named := restHasName(text[l.start:l.end])
		if len(run) > 0 {
			prev := run[len(run)-1]
			gap := text[prev.end:l.start]
			if !named || l.kinds != run[0].kinds || strings.TrimSpace(gap) != "" || l.start == prev.start {
				flush(run)
				run = run[:0]
			}
		}
		if named && (len(run) == 0 || l.start != run[len(run)-1].start) {
			run = append(run, l)
		}
	}
	flush(run)
	return runs
}

// restHasName: the line has at least two letters or CJK characters that
// are not a label word alone (a name, not "Mobile:").
func restHasName(line string) bool {
	if len(line) > 1024 {
		return false
	}
	letters := 0
	for _, r := range line {
		if r >= 0x3400 && r < 0xA000 || r < utf8.RuneSelf && isLetter(byte(r)) {
			letters++
		}
	}
	return letters >= 2
}

// jsonRecords groups JSON field segments into records by their paths.
func (c *customerDBClassifier) jsonRecords(doc *document, runs []cdbRun) []cdbRun {
	type rec struct {
		named, personal bool
		// work: a directory or business field (company, department);
		// then phones, addresses and e-mails are work ones.
		work, workable bool
		email          string
	}
	var cur rec
	curKey := ""
	var recs []rec
	terms := map[string]bool{}
	// Field names repeat record after record: each is looked up once,
	// and each field path after its record's key is split once.
	kinds := map[string]cellMemo{}
	rests := map[string]restMemo{}
	firstOrigin := "" // the first record's path, for the sample
	flushRec := func() {
		if cur.work {
			cur.email = ""
		} else if cur.workable {
			cur.personal = true
		}
		if curKey != "" && cur.named && (cur.personal || cur.email != "") {
			recs = append(recs, cur)
			if firstOrigin == "" {
				firstOrigin = curKey
			}
		}
		cur, curKey = rec{}, ""
	}
	for si := range doc.segs {
		sg := &doc.segs[si]
		key, k, t, ok := c.jsonFieldKind(sg.origin, curKey, rests, kinds)
		if !ok {
			continue
		}
		if key != curKey {
			flushRec()
			curKey = key
		}
		if k == colNone && len(sg.ids) == 0 {
			// Nothing this field could add to its record.
			continue
		}
		v := strings.TrimSpace(sg.text)
		if v == "" || len(v) > 512 {
			continue
		}
		if k != colNone {
			terms[t] = true
		}
		switch k {
		case colPersonName, colPerson:
			cur.named = cur.named || hasLetters(v)
			if k == colPerson && countDigits(v) >= 8 && personalValue(v) {
				cur.personal = true
			}
		case colDirectory:
			cur.work = true
		case colMobile:
			cur.workable = cur.workable || countDigits(v) >= 7
		case colPhone:
			cur.workable = cur.workable || personalPhone(v)
		case colEmail:
			if strings.IndexByte(v, '@') > 0 {
				cur.email = v
			}
		case colAddress:
			cur.workable = cur.workable || utf8.RuneCountInString(v) >= 4
		case colBirthday:
			cur.personal = cur.personal || countDigits(v) >= 2
		case colIdentity, colCard, colAccount:
			cur.personal = cur.personal || countDigits(v) >= 3
		case colNone:
			for _, m := range sg.ids {
				if m.kind == idPhoneCN || m.kind == idPRC || m.kind == idCard || (m.kind == idPhoneHK && m.flags&idMobile != 0) {
					cur.personal = true
				}
			}
		}
	}
	flushRec()
	if len(recs) < 3 {
		return runs
	}
	var emails []string
	for _, r := range recs {
		if r.email != "" {
			emails = append(emails, r.email)
		}
	}
	personalEmail := !companyDomain(emails)
	n := 0
	for _, r := range recs {
		if r.personal || personalEmail {
			n++
		}
	}
	if n == 0 {
		return runs
	}
	hs := uniqueSorted(terms)
	if len(hs) > 8 {
		hs = hs[:8]
	}
	return append(runs, cdbRun{records: n, shape: "json", headers: hs, origin: firstOrigin})
}

// restMemo is what jsonFieldKind learnt of a field path after its
// record's key: ok false when it is not a field of that record (or no
// field), else the field's kind and term.
type restMemo struct {
	ok   bool
	kind colKind
	term string
}

// jsonFieldKind splits a JSON segment origin into its record key
// (jsonRecordPathAfter, prev the record before) and reads its field's
// kind: a nested field by its own name, else by its parent's
// ("contact.email" is an e-mail, "address.city" an address). The path
// after prev is remembered in rests (up to 4096 of them), so the next
// record's same field costs one lookup.
func (c *customerDBClassifier) jsonFieldKind(origin, prev string, rests map[string]restMemo, kinds map[string]cellMemo) (key string, k colKind, t string, ok bool) {
	var rest string
	if prev != "" && len(origin) > len(prev) && origin[:len(prev)] == prev {
		rest = origin[len(prev):]
		if m, hit := rests[rest]; hit {
			// What rest makes of a record's key does not depend on
			// which record it is (TestJSONFieldKind).
			if !m.ok {
				return "", colNone, "", false
			}
			return prev, m.kind, m.term, true
		}
	}
	key, field, ok := jsonRecordPathAfter(origin, prev)
	if !ok {
		if rest != "" && len(rests) < 4096 {
			rests[rest] = restMemo{}
		}
		return "", colNone, "", false
	}
	k, t = c.fieldKind(field, kinds)
	if rest != "" && key == prev && len(rests) < 4096 {
		rests[rest] = restMemo{ok: true, kind: k, term: t}
	}
	return key, k, t, true
}

// fieldKind is the kind of a JSON field path: its last name's, else its
// first name's.
func (c *customerDBClassifier) fieldKind(field string, kinds map[string]cellMemo) (colKind, string) {
	last, first := field, field
	if lo, hi := pathSeps(field); lo >= 0 {
		first, last = field[:lo], field[hi+1:]
	}
	k, t := c.cellKindMemo(last, kinds)
	if k == colNone && first != last {
		k, t = c.cellKindMemo(first, kinds)
	}
	return k, t
}

// jsonRecordPathAfter is jsonRecordPath for a segment that follows one
// of record prev: the next field of the same record is split without
// searching its origin again (a JSON export is a million of them).
func jsonRecordPathAfter(origin, prev string) (key, field string, ok bool) {
	if prev == "" || len(origin) <= len(prev) || origin[:len(prev)] != prev {
		return jsonRecordPath(origin)
	}
	rest := origin[len(prev):]
	// prev ends in its record's index ("...[3]") or its line's "$": with
	// no ']' after it, that is still the last index, and with no "json"
	// after it the origin's last "json" is prev's; a quoted key ([")
	// is left to jsonRecordPath to rewrite.
	if strings.IndexByte(rest, ']') >= 0 || strings.Contains(rest, "json") || strings.Contains(rest, `["`) {
		return jsonRecordPath(origin)
	}
	field = strings.TrimPrefix(rest, ".")
	if field == "" {
		return "", "", false
	}
	return prev, field, true
}

// pathSeps returns the offsets of the first and last '.' or '[' in field,
// or -1, -1.
func pathSeps(field string) (first, last int) {
	first, last = -1, -1
	for i := 0; i < len(field); i++ {
		if c := field[i]; c == '.' || c == '[' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

// jsonRecordPath splits a JSON segment origin into its record (the path
// up to the last array index, or the JSON Lines line) and the field path
// after it: "x>json:$.customers[3].phone" -> ("x>json:$.customers[3]",
// "phone"); "jsonl:4:$.contact.email" -> ("jsonl:4:$", "contact.email");
// quoted keys (["Full name"]) read as plain ones.
func jsonRecordPath(origin string) (key, field string, ok bool) {
	j := strings.LastIndex(origin, "json")
	if j < 0 {
		return "", "", false
	}
	p := origin[j:]
	jsonl := strings.HasPrefix(p, "jsonl:")
	d := strings.IndexByte(p, '$')
	if d < 0 || !(jsonl || strings.HasPrefix(p, "json:")) {
		return "", "", false
	}
	base := j + d + 1
	path := origin[base:]
	end := -1
	for i := len(path) - 1; i > 0 && end < 0; i-- {
		if path[i] != ']' || !isDigit(path[i-1]) {
			continue
		}
		k := i - 1
		for k >= 0 && isDigit(path[k]) {
			k--
		}
		if k >= 0 && path[k] == '[' {
			end = i + 1
		}
	}
	switch {
	case end >= 0:
		key, field = origin[:base+end], path[end:]
	case jsonl:
		key, field = origin[:base], path
	default:
		return "", "", false
	}
	if strings.Contains(field, `["`) {
		field = strings.NewReplacer(`["`, ".", `"]`, "").Replace(field)
	}
	field = strings.TrimPrefix(field, ".")
	if field == "" {
		return "", "", false
	}
	return key, field, true
}
