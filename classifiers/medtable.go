package classifiers

import (
	"strings"
)

// Tables of people with a health column. A sheet or CSV whose header names
// a person column (Name, 姓名, Staff No., Resident, 來訪者 ...) and a health
// column (Reason for sick leave, Diagnosis, Allergy, TB test result, 病假原因
// ...) holds a medical record in every row whose health cell is filled.
// The header is found from dictionary hits written as whole cells, so only
// the lines of such tables are read.

// genericHealthHeader: column names that are health data only when the
// cells say so ("Reason" of a leave register: annual leave or flu).
var genericHealthHeader = map[string]bool{"reason": true, "complaint": true, "reason for leave": true, "leave reason": true, "原因": true, "請假原因": true, "请假原因": true, "結果": true, "结果": true}

// healthHeaderKind: anchor kinds that name a health column when written as
// a header cell.
func healthHeaderKind(k uint8) bool {
	switch k {
	case medDiagnosis, medRecord, medTopic, medSickLeave, medPrescription, medLabTest, medProcedure, medDisease, medScale:
		return true
	}
	return false
}

// negativeCell: a health cell that records nothing.
func negativeCell(c string) bool {
	if len(c) > 12 {
		return false
	}
	for _, v := range negativeValues {
		if strings.EqualFold(c, v) {
			return true
		}
	}
	return false
}

var negativeValues = [...]string{"", "-", "--", "/", "nil", "none", "n/a", "na", "no", "nkda", "nkda.", "無", "无", "沒有", "没有", "否", "不適用", "不适用"}

// lineSep is the cell separator of a table line: tab, '|' or ','.
func lineSep(line string) byte {
	switch {
	case strings.IndexByte(line, '\t') >= 0:
		return '\t'
	case strings.Count(line, "|") >= 2:
		return '|'
	}
	return ','
}

// cellAt returns cell k of line (trimmed) without allocating, and the
// number of cells.
func cellAt(line string, sep byte, k int) (string, int) {
	n := strings.Count(line, string(sep)) + 1
	if k >= n {
		return "", n
	}
	for ; k > 0; k-- {
		line = line[strings.IndexByte(line, sep)+1:]
	}
	if i := strings.IndexByte(line, sep); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(line), `"`)), n
}

// cellSplit splits a table line on its separator (tab, '|' or ',').
func cellSplit(line string) []string {
	cells := strings.Split(line, string(lineSep(line)))
	for i := range cells {
		cells[i] = strings.TrimSpace(strings.Trim(strings.TrimSpace(cells[i]), `"`))
	}
	return cells
}

// healthTable returns the number of rows with health data in the tables of
// people of doc.
func (c *medicalClassifier) healthTable(doc *document) int {
	total := 0
	for si := range doc.segs {
		text := doc.segs[si].text
		hits := doc.hitsOf(si, clsMedical)
		// done: end of the last line or table read. Each line is looked at
		// once however many header-like cells it holds, so a megabyte-long
		// line of "name,reason," stays linear.
		done := 0
		for i, h := range hits {
			if int(h.start) < done || !healthHeaderKind(h.kind) || !headerCell(text, int(h.start), int(h.end)) {
				continue
			}
			ls := done + strings.LastIndexByte(text[done:h.start], '\n') + 1
			le := strings.IndexByte(text[h.end:], '\n')
			if le < 0 {
				le = len(text)
			} else {
				le += int(h.end)
			}
			done = le
			// The same header line needs a person column.
			person := false
			for j := max(0, i-16); j < min(len(hits), i+16); j++ {
				p := hits[j]
				if (p.kind == medPerson || p.kind == medIdentity) && int(p.start) >= ls && int(p.end) <= le && headerCell(text, int(p.start), int(p.end)) {
					person = true
					break
				}
			}
			if !person {
				continue
			}
			header := cellSplit(strings.TrimRight(text[ls:le], "\r"))
			// Every health column of the header: a row counts when any of
			// them is filled (allergies "NKDA" but a medication listed).
			var cols []int
			var generic []bool
			for k, cell := range header {
				key := strings.ToLower(cell)
				if c.healthKeys[key] {
					cols = append(cols, k)
					generic = append(generic, genericHealthHeader[key])
				}
			}
			if len(cols) == 0 {
				continue
			}
			n, end := c.tableRowsBelow(doc, si, le, cols, generic, len(header))
			total += n
			done = max(done, end)
		}
	}
	return total
}

// tableRowsBelow counts the rows after a header (ending at from) with a
// filled health cell in one of cols; generic columns need a clinical term
// in the row. It stops at two blank lines or a line of another shape and
// returns where.
func (c *medicalClassifier) tableRowsBelow(doc *document, si, from int, cols []int, generic []bool, width int) (int, int) {
	text := doc.segs[si].text
	hits := doc.hitsOf(si, clsMedical)
	last := cols[len(cols)-1]
	n, blank := 0, 0
	pos := from
	for pos < len(text) {
		ls := pos + 1
		if text[pos] != '\n' {
			ls = pos
		}
		le := strings.IndexByte(text[ls:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += ls
		}
		line := strings.TrimRight(text[ls:le], "\r")
		pos = le
		if strings.TrimSpace(line) == "" {
			// HTML and DOCX tables come with a blank line between rows;
			// two in a row end the table.
			if blank++; blank >= 2 {
				break
			}
			continue
		}
		blank = 0
		sep := lineSep(line)
		_, ncells := cellAt(line, sep, 0)
		if ncells < 2 || ncells < width-2 || ncells > width+2 || ncells <= cols[0] {
			break
		}
		if strings.Trim(line, "|-:+ \t") == "" {
			continue // markdown rule under the header
		}
		for k, col := range cols {
			cell, _ := cellAt(line, sep, col)
			if col >= ncells || col > last || negativeCell(cell) {
				continue
			}
			if generic[k] && !clinicalIn(hits, ls, le) {
				continue
			}
			n++
			break
		}
	}
	return n, pos
}

// clinicalIn reports a clinical hit inside text[lo:hi] (hits sorted by end).
func clinicalIn(hits []termHit, lo, hi int) bool {
	// Binary search for the first hit ending after lo.
	a, b := 0, len(hits)
	for a < b {
		m := (a + b) / 2
		if int(hits[m].end) <= lo {
			a = m + 1
		} else {
			b = m
		}
	}
	for i := a; i < len(hits) && int(hits[i].end) <= hi; i++ {
		if clinical(hits[i].kind) && int(hits[i].start) >= lo {
			return true
		}
	}
	return false
}

// healthRecords counts records of JSON arrays (segments whose origins are
// "json:$[3].name", "json:$[3].reason" ...) that carry a person field and a
// filled health field; generic health fields ("reason") need a clinical
// term in their value. Segments are read in order, once.
func (c *medicalClassifier) healthRecords(doc *document) int {
	n := 0
	rec := ""
	person, health := false, false
	// Field names repeat record after record: each is folded and looked
	// up once.
	const (
		keyOther = iota
		keyPerson
		keyHealth
		keyHealthGeneric // a health field that needs a clinical term
	)
	keys := map[string]uint8{}
	flush := func() {
		if person && health {
			n++
		}
		person, health = false, false
	}
	for si := range doc.segs {
		o := doc.segs[si].origin
		i := strings.LastIndexByte(o, '.')
		if i < 0 || !strings.Contains(o[:i], "json:") || !strings.HasSuffix(o[:i], "]") {
			continue
		}
		if o[:i] != rec {
			flush()
			rec = o[:i]
		}
		kind, ok := keys[o[i+1:]]
		if !ok {
			key := strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(o[i+1:]))
			switch {
			case c.personKeys[key]:
				kind = keyPerson
			case c.healthKeys[key] && genericHealthHeader[key]:
				kind = keyHealthGeneric
			case c.healthKeys[key]:
				kind = keyHealth
			}
			if len(keys) < 4096 {
				keys[o[i+1:]] = kind
			}
		}
		switch kind {
		case keyPerson:
			person = true
		case keyHealth, keyHealthGeneric:
			val := strings.TrimSpace(doc.segs[si].text)
			if negativeCell(val) {
				continue
			}
			if kind == keyHealthGeneric {
				hits := doc.hitsOf(si, clsMedical)
				if !clinicalIn(hits, 0, len(doc.segs[si].text)) {
					continue
				}
			}
			health = true
		}
	}
	flush()
	return n
}
