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
var genericHealthHeader = map[string]bool{"reason": true, "complaint": true, "原因": true, "結果": true, "结果": true}

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
	switch strings.ToLower(c) {
	case "", "-", "--", "/", "nil", "none", "n/a", "na", "no", "nkda", "nkda.", "無", "无", "沒有", "没有", "否", "不適用", "不适用":
		return true
	}
	return false
}

// cellSplit splits a table line on its separator (tab, '|' or ',').
func cellSplit(line string) []string {
	sep := ","
	switch {
	case strings.Count(line, "\t") >= 1:
		sep = "\t"
	case strings.Count(line, "|") >= 2:
		sep = "|"
	}
	cells := strings.Split(line, sep)
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
			// Only the first health column of a header is read.
			header := cellSplit(strings.TrimRight(text[ls:le], "\r"))
			col := -1
			name := strings.ToLower(strings.TrimSpace(c.vocab[h.term].term))
			for k, cell := range header {
				if strings.EqualFold(cell, text[h.start:h.end]) {
					col = k
					break
				}
			}
			if col < 0 {
				continue
			}
			n, end := c.tableRowsBelow(doc, si, le, col, len(header), genericHealthHeader[name])
			total += n
			done = max(done, end)
		}
	}
	return total
}

// tableRowsBelow counts the rows after a header (ending at from) whose cell
// col is filled; generic columns need a clinical term in the cell. It stops
// at a blank line or a line of another shape and returns where.
func (c *medicalClassifier) tableRowsBelow(doc *document, si, from, col, width int, generic bool) (int, int) {
	text := doc.segs[si].text
	hits := doc.hitsOf(si, clsMedical)
	n := 0
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
			break
		}
		cells := cellSplit(line)
		if len(cells) < col+1 || len(cells) < width-2 || len(cells) > width+2 {
			break
		}
		cell := cells[col]
		if negativeCell(cell) {
			continue
		}
		if generic && !clinicalIn(hits, ls, le) {
			continue
		}
		n++
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
