package classifiers

import (
	"fmt"
	"sort"
	"strings"
)

// Medical term kinds (sections of dict/medical.txt).
const (
	medDisease uint8 = iota + 1
	medDrug
	medProcedure
	medLabTest
	medPerson
	medRecord
	medDiagnosis
	medPrescription
	medSickLeave
	medIdentity
	medDoctor
	medICD
	medSymptom
	medTCM   // Chinese-medicine findings, patterns, formulas, points
	medScale // clinical rating scales (PHQ-9, MMSE ...)
	medTopic // health topics that are not yet a record (health check, care plan)
	medKinds
)

var medSections = map[string]uint8{
	"disease": medDisease, "drug": medDrug, "procedure": medProcedure, "labtest": medLabTest,
	"person": medPerson, "record": medRecord, "diagnosis": medDiagnosis, "prescription": medPrescription,
	"sickleave": medSickLeave, "identity": medIdentity, "doctor": medDoctor, "icd": medICD,
	"symptom": medSymptom, "tcm": medTCM, "scale": medScale, "topic": medTopic,
}

var medKindName = [medKinds]string{"", "disease", "drug", "procedure", "lab_test", "person", "record",
	"diagnosis", "prescription", "sick_leave", "identity", "doctor", "icd", "symptom", "tcm", "scale", "topic"}

// anchorWeight is what an anchor family adds to the score: record titles
// (discharge summary, lab report) and sick-leave wording say "this is about
// a person's health" on their own; the others need to be written as a
// field label ("診斷：", "Patient:") to weigh more than a word in running
// text (see labelled).
var anchorWeight = [medKinds]int{medPerson: 1, medRecord: 2, medDiagnosis: 1, medPrescription: 1,
	medSickLeave: 2, medIdentity: 1, medDoctor: 1, medICD: 1, medTopic: 1}

func clinical(k uint8) bool {
	return (k >= medDisease && k <= medLabTest) || k == medSymptom || k == medTCM || k == medScale
}

const (
	// medThreshold: at least five points, e.g. two clinical terms plus a
	// labelled diagnosis field and a patient field; one disease word with
	// "patient" in running text is not enough.
	medThreshold = 5
	medHigh      = 8
	maxClinical  = 4 // clinical terms beyond this add nothing
	// Windows for long inputs: terms must co-occur this close.
	medWindow = 4096
	// Whole-document judgement (all segments together) for inputs up to
	// this size: a form or a note split over document parts. Longer texts
	// (a staff handbook mentioning sick leave, doctors and pregnancy pages
	// apart) are judged by window.
	medDocWindow = 16 << 10
)

// medDictFiles are the medical dictionaries (dict/README.md names their
// sources): hand-curated core, open-source vocabularies, THUOCL-derived.
var medDictFiles = []string{"medical", "medical_more", "medical_thuocl"}

type medicalClassifier struct {
	opts  options
	vocab []vocabEntry
	// Field names of records in JSON (lower case): a person field and a
	// health field make each record a medical record (medtable.go).
	personKeys, healthKeys map[string]bool
}

func newMedicalClassifier(o options) (*medicalClassifier, error) {
	v, err := loadDicts(medSections, medDictFiles...)
	if err != nil {
		return nil, err
	}
	c := &medicalClassifier{opts: o, vocab: v, personKeys: map[string]bool{}, healthKeys: map[string]bool{}}
	for _, e := range v {
		k := strings.ToLower(e.term)
		switch {
		case e.kind == medPerson || e.kind == medIdentity:
			c.personKeys[k] = true
		case healthHeaderKind(e.kind):
			c.healthKeys[k] = true
		}
	}
	return c, nil
}

func (c *medicalClassifier) name() string             { return Medical }
func (c *medicalClassifier) vocabulary() []vocabEntry { return c.vocab }

// medEvent is one signal at a place in the document.
type medEvent struct {
	seg, pos, end int
	kind          uint8
	term          string // dictionary term or "icd10:E11.65"-like label
	// labelled: 0 not yet known, 1 written as a field label, 2 not.
	labelled uint8
}

// medScore is the verdict over one window of events.
type medScore struct {
	score     int
	raw       int    // the score before the record/person rules (explain)
	reject    string // why a window with clinical terms did not count
	clinical  []string
	families  []uint8
	labelled  [medKinds]bool
	sample    medEvent
	hasSample bool
}

func (c *medicalClassifier) classify(doc *document) (Finding, bool) {
	v := c.evaluate(doc)
	return v.finding, v.fired
}

// medVerdict is everything the medical classifier worked out about one
// input; explain shows it even when it did not fire.
type medVerdict struct {
	best        medScore
	patientRows int // table rows holding a clinical term
	tableRows   int // rows of a table of people with a health column
	rejected    medScore
	noClinical  bool
	fired       bool
	finding     Finding
}

func (c *medicalClassifier) evaluate(doc *document) medVerdict {
	var v medVerdict
	// A table of people with a health column (sick-leave reasons,
	// allergies, TB results) is a record of each row, whatever the cells
	// say; it is found from its header cells, so it is cheap.
	v.tableRows = c.healthTable(doc) + c.healthRecords(doc)
	// Most traffic holds no clinical term at all: stop before building events.
	anyClinical := false
	for si := range doc.segs {
		for _, h := range doc.hitsOf(si, clsMedical) {
			if clinical(h.kind) {
				anyClinical = true
				break
			}
		}
	}
	if !anyClinical && v.tableRows == 0 {
		v.noClinical = true
		return v
	}
	// Sized for the hits and a few more per segment with any (doses, an
	// HKID, a few codes); append grows it past that. Not 24 for every
	// segment: a JSON batch is 100k segments, most of them without a
	// term, and that was a 100 MB allocation per batch.
	total := 0
	for si := range doc.segs {
		if n := len(doc.hitsOf(si, clsMedical)); n > 0 {
			total += n + 24
		}
	}
	events := make([]medEvent, 0, total+24)
	for si := range doc.segs {
		events = c.segmentEvents(doc, si, events)
	}
	best, rejected := medScore{}, medScore{}
	try := func(ev []medEvent) {
		s := scoreMedical(doc, ev)
		if s.score > best.score {
			best = s
		}
		if s.score == 0 && s.raw > rejected.raw {
			rejected = s
		}
	}
	if doc.bytes <= medDocWindow {
		try(events)
	} else {
		// Sliding windows with half overlap inside each segment: every pair
		// of events closer than medWindow/2 shares a window.
		for lo := 0; lo < len(events); {
			seg := events[lo].seg
			hi := lo
			for hi < len(events) && events[hi].seg == seg {
				hi++
			}
			windows(events[lo:hi], try)
			lo = hi
		}
	}
	v.best, v.rejected = best, rejected
	identified := false
	for _, k := range best.families {
		if k == medPerson || k == medIdentity {
			identified = true
		}
	}
	// A table with three or more rows naming a condition, under a patient
	// heading, is a patient list even when each row is terse.
	rows := 0
	if identified || best.score >= medThreshold {
		rows = c.patientRows(doc)
	}
	v.patientRows = rows
	if best.score < medThreshold && !(identified && rows >= 3) && v.tableRows == 0 {
		return v
	}
	f := Finding{Classifier: Medical, Count: 1, Confidence: Medium}
	if best.score >= medHigh && identified || v.tableRows >= 3 {
		f.Confidence = High
	}
	if rows >= 3 {
		f.Count = rows
		f.Signals = append(f.Signals, fmt.Sprintf("patient_rows:%d", rows))
	}
	if v.tableRows > 0 {
		f.Count = max(f.Count, v.tableRows)
		f.Signals = append(f.Signals, fmt.Sprintf("health_table_rows:%d", v.tableRows))
	}
	f.Signals = append(f.Signals, fmt.Sprintf("score:%d", best.score))
	for _, k := range best.families {
		s := "anchor:" + medKindName[k]
		if best.labelled[k] {
			s += ":field"
		}
		f.Signals = append(f.Signals, s)
	}
	for _, t := range best.clinical {
		f.Signals = append(f.Signals, "term:"+t)
	}
	if !best.hasSample && v.tableRows > 0 {
		// A table found by its header: the first clinical term of the
		// input is the sample.
	first:
		for si := range doc.segs {
			for _, h := range doc.hitsOf(si, clsMedical) {
				if clinical(h.kind) {
					best.sample, best.hasSample = medEvent{seg: si, pos: int(h.start), kind: h.kind, term: c.vocab[h.term].term}, true
					break first
				}
			}
		}
	}
	if best.hasSample && c.opts.maxSamples > 0 {
		// The sample names the kind of signal and a masked term: never a
		// diagnosis in clear next to the person it is about.
		f.Samples = []Sample{{Masked: maskedTerm(best.sample.kind, best.sample.term), Origin: doc.segs[best.sample.seg].origin, Offset: best.sample.pos}}
	}
	v.fired, v.finding = true, f
	return v
}

// maskedTerm writes a clinical signal for logs: its kind and the term with
// most of it starred ("disease:2型**病", "drug:二***", "icd10:E1***5").
func maskedTerm(kind uint8, term string) string {
	k := medKindName[kind]
	if code, ok := strings.CutPrefix(term, "icd10:"); ok {
		k, term = "icd10", code
	}
	return k + ":" + maskRunes(term)
}

// maskRunes keeps the first third of a term (one to three runes) and, from
// five runes on, its last rune; the rest becomes '*'.
func maskRunes(t string) string {
	r := []rune(t)
	n := len(r)
	if n <= 1 {
		return "*"
	}
	keep, tail := 1, 0
	if n >= 5 {
		keep, tail = min((n+2)/3, 3), 1
	}
	out := make([]rune, 0, n)
	out = append(out, r[:keep]...)
	for i := keep; i < n-tail; i++ {
		if r[i] == ' ' {
			out = append(out, ' ')
		} else {
			out = append(out, '*')
		}
	}
	return string(append(out, r[n-tail:]...))
}

// windows calls try on every medWindow-long window of events (sorted by
// position), stepping by half a window. Each event is in at most two
// windows, so the work stays linear.
func windows(ev []medEvent, try func([]medEvent)) {
	step := medWindow / 2
	lo := 0
	for lo < len(ev) {
		base := ev[lo].pos - ev[lo].pos%step
		hi := lo
		for hi < len(ev) && ev[hi].pos < base+medWindow {
			hi++
		}
		try(ev[lo:hi])
		next := lo
		for next < len(ev) && ev[next].pos < base+step {
			next++
		}
		if next == lo {
			next++
		}
		lo = next
	}
}

// segmentEvents appends one segment's dictionary hits, HKIDs and ICD-10
// codes to dst as events sorted by position.
func (c *medicalClassifier) segmentEvents(doc *document, si int, dst []medEvent) []medEvent {
	sg := &doc.segs[si]
	hits := doc.hitsOf(si, clsMedical)
	if len(hits) == 0 && len(sg.hkids) == 0 {
		// A slide or cell holding only "Lam Chi Keung, 72 M": the person
		// of a small document whose clinical terms are elsewhere.
		if doc.bytes <= medDocWindow && sg.hasDigit() {
			for _, p := range ageSex(sg.text, 2) {
				dst = append(dst, medEvent{seg: si, pos: p, end: p, kind: medPerson, term: "age_sex", labelled: 3})
			}
		}
		return dst
	}
	hits = dropContained(hits)
	first := len(dst)
	ev := dst
	icdNear := 0
	names, tries := 0, 0 // names found, anchors looked around (bounded)
	for _, h := range hits {
		// A ticked-box option ("□ diabetes", "[ ] asthma") of a blank form
		// is a question, not a fact about anyone.
		if clinical(h.kind) && checkboxBefore(sg.text, int(h.start)) {
			continue
		}
		e := medEvent{seg: si, pos: int(h.start), end: int(h.end), kind: h.kind, term: c.vocab[h.term].term}
		if e.term == "name" && qualifiedName(sg.text, e.pos) {
			continue // "Product name", "File name": not a person
		}
		if (h.kind == medPerson || h.kind == medIdentity) && blankFieldAfter(sg.text, int(h.end)) {
			e.labelled = 2 // "Name: ______" names no one
		}
		if h.kind == medPerson && familyWord(e.term) {
			e.labelled = 3 // "my son", "我太太": one particular person
		}
		ev = append(ev, e)
		// A personal name next to a sick-leave or diagnosis statement
		// ("Chan Tai Man is on sick leave", "王丽娟抑郁症复发") ties it
		// to someone in chat and e-mail, where no field says "Name:".
		if k := h.kind; (k == medSickLeave || k == medDiagnosis || k == medRecord || k == medPrescription || k == medTopic) && names < 16 && tries < 64 {
			tries++
			if p, ok := nameNear(sg.text, int(h.start), int(h.end), k == medRecord || k == medPrescription || labelled(sg.text, int(h.start), int(h.end), e.term)); ok {
				names++
				ev = append(ev, medEvent{seg: si, pos: p, end: p, kind: medPerson, term: "name", labelled: 3})
			}
		}
		// ICD-10 codes count only next to a diagnosis or ICD label: a bare
		// "E11.65" is as likely a part number or a version.
		if (h.kind == medDiagnosis || h.kind == medICD) && icdNear < 64 {
			icdNear++
			for _, code := range icdCodes(sg.text, int(h.end), int(h.end)+200) {
				ev = append(ev, medEvent{seg: si, pos: code, kind: medDisease, term: "icd10:" + icdAt(sg.text, code)})
			}
		}
	}
	// Doses ("500mg", "5 mg", "10ml") write a prescription without the
	// word; looked for only where a clinical term already is.
	hasClinical := false
	for _, h := range hits {
		if clinical(h.kind) {
			hasClinical = true
			break
		}
	}
	// Ages, bed numbers and doses are all written with a digit: in a
	// segment without one (prose, random letters) their searches for ',',
	// "ed " and every 'm' find nothing, and are skipped.
	if hasClinical && sg.hasDigit() {
		ages, beds, dose := 4, 4, 16 // limits, shared by the spans
		for _, sp := range nearClinical(doc, sg.text, hits) {
			text := sg.text[:sp[1]]
			for _, p := range ageSex(text[sp[0]:], ages) {
				ages--
				ev = append(ev, medEvent{seg: si, pos: sp[0] + p, end: sp[0] + p, kind: medPerson, term: "age_sex", labelled: 3})
			}
			for _, p := range bedNumbers(text[sp[0]:], beds) {
				beds--
				ev = append(ev, medEvent{seg: si, pos: sp[0] + p, end: sp[0] + p, kind: medIdentity, term: "bed_no", labelled: 1})
			}
			for _, p := range doses(text[sp[0]:], dose) {
				dose--
				ev = append(ev, medEvent{seg: si, pos: sp[0] + p, end: sp[0] + p, kind: medPrescription, term: "dose", labelled: 2})
			}
			if ages <= 0 && beds <= 0 && dose <= 0 {
				break
			}
		}
	}
	for _, m := range sg.hkids {
		if m.valid && m.issued {
			ev = append(ev, medEvent{seg: si, pos: m.start, end: m.end, kind: medIdentity, term: "hkid", labelled: 1})
			break
		}
	}
	mine := ev[first:]
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].pos < mine[j].pos })
	return ev
}

// nearClinical is where a segment's ages, bed numbers and doses can count:
// all of it in a document scored whole (up to medDocWindow), else the
// stretches within medWindow of a clinical hit, since a window without
// one cannot fire (scoreMedical) and a window is medWindow wide: an age or
// dose further from every clinical term shares no window with one.
// Searching only there matters in a long segment (a 4 MiB window of a
// streamed upload) where one stray clinical hit used to send the three
// scans over all of it: 15% of a 50 MiB upload's CPU.
//
// Each stretch is widened to a byte none of the three scanners reads
// through (stopByte), kept at both ends, so a scanner sees on it the
// context it would see in the whole text: what it finds inside is what it
// would find there. The spans are in order and do not overlap.
func nearClinical(doc *document, text string, hits []termHit) [][2]int {
	if doc.bytes <= medDocWindow {
		return [][2]int{{0, len(text)}}
	}
	var spans [][2]int
	for _, h := range hits {
		if !clinical(h.kind) {
			continue
		}
		lo, hi := max(0, int(h.start)-medWindow), min(len(text), int(h.end)+medWindow)
		n := len(spans)
		if n > 0 && hi <= spans[n-1][1] {
			continue // covered (hits are sorted by start)
		}
		// Every byte is walked over at most once: backwards only down to
		// the last span's end, forwards only past it.
		floor := 0
		if n > 0 {
			floor = spans[n-1][1]
		}
		for lo > floor && !stopByte(text[lo]) {
			lo--
		}
		for hi < len(text) && !stopByte(text[hi-1]) {
			hi++
		}
		if n > 0 && lo <= floor {
			spans[n-1][1] = hi
			continue
		}
		spans = append(spans, [2]int{lo, hi})
	}
	return spans
}

// stopByte is an ASCII byte that ageSex, bedNumbers and doses never read
// past: not a letter or digit, and none of the space, comma and slash
// they look for around a number (the Han characters they look for are
// not ASCII).
func stopByte(c byte) bool {
	return c < 0x80 && !isLetter(c) && !isDigit(c) && c != ' ' && c != ',' && c != '/'
}

// dropContained removes clinical hits that lie inside a longer clinical hit
// ("diabetes" inside "type 2 diabetes"), so one mention counts once.
func dropContained(hits []termHit) []termHit {
	if len(hits) < 2 {
		return hits
	}
	return dropInside(hits, func(h termHit) bool { return clinical(h.kind) })
}

// dropNested removes every hit that lies inside a longer hit and returns
// the rest sorted by start.
func dropNested(hits []termHit) []termHit {
	return dropInside(hits, func(termHit) bool { return true })
}

// dropInside sorts a copy of hits by start (longest first on ties) and
// drops each hit that takes part (per takesPart) and lies inside an
// earlier participating hit; others are kept and do not shadow.
func dropInside(hits []termHit, takesPart func(termHit) bool) []termHit {
	s := make([]termHit, len(hits))
	copy(s, hits)
	sort.Slice(s, func(i, j int) bool {
		if s[i].start != s[j].start {
			return s[i].start < s[j].start
		}
		return s[i].end > s[j].end
	})
	out := s[:0]
	maxEnd := int32(-1)
	for _, h := range s {
		if takesPart(h) {
			if h.end <= maxEnd {
				continue
			}
			maxEnd = h.end
		}
		out = append(out, h)
	}
	return out
}

// labelled reports whether an anchor is written as a field label: followed
// by a colon (ASCII or full-width) after optional spaces or a "name"/"姓名"
// word, or a term that already ends like one ("診斷為", "diagnosed with").
func labelled(text string, start, end int, term string) bool {
	if headerCell(text, start, end) {
		return true
	}
	if strings.HasSuffix(term, ":") || strings.HasSuffix(term, "為") || strings.HasSuffix(term, "为") ||
		strings.HasSuffix(term, " with") || strings.HasSuffix(term, " from") {
		return true
	}
	rest := text[end:min(len(text), end+16)]
	rest = strings.TrimLeft(rest, " \t")
	for _, w := range []string{"name", "Name", "姓名", "no.", "No.", "號", "号", "名單", "名单", "list", "List"} {
		rest = strings.TrimPrefix(rest, w)
	}
	rest = strings.TrimLeft(rest, " \t")
	return strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") || strings.HasPrefix(rest, "為") ||
		strings.HasPrefix(rest, "为")
}

// headerCell reports whether text[start:end] is a whole table cell
// ("patient,age,diagnosis", "Patient\tDiagnosis"): a column heading is a
// field label too.
func headerCell(text string, start, end int) bool {
	cellSep := func(c byte) bool { return c == '\t' || c == ',' || c == '|' }
	// Spaces padding a cell ("| 姓名 |" in markdown) are part of it.
	for start > 0 && end-start < 64 && text[start-1] == ' ' && start >= 2 && (text[start-2] == ' ' || text[start-2] == '|') {
		start--
	}
	for end < len(text) && text[end] == ' ' && end+1 < len(text) && (text[end+1] == ' ' || text[end+1] == '|') {
		end++
	}
	before := start == 0 || text[start-1] == '\n' || cellSep(text[start-1])
	after := end == len(text) || text[end] == '\n' || text[end] == '\r' || cellSep(text[end])
	if !before || !after {
		return false
	}
	// At least one separator on the line: a lone word on a line is a title
	// or prose, not a cell.
	return (start > 0 && cellSep(text[start-1])) || (end < len(text) && cellSep(text[end]))
}

func scoreMedical(doc *document, ev []medEvent) medScore {
	var s medScore
	// Cheap rejection: a window without a clinical term cannot fire.
	hasClinical := false
	for i := range ev {
		if clinical(ev[i].kind) {
			hasClinical = true
			break
		}
	}
	if !hasClinical {
		return s
	}
	var fam [medKinds]bool
	named := false // a personal name beside a sick-leave or diagnosis anchor
	icd := false   // an ICD-10 code next to a diagnosis label: coded record
	clin := map[string]bool{}
	clinKind := map[string]bool{} // masked "kind:term" for signals
	symptoms := 0
	for i := range ev {
		e := &ev[i]
		if !clinical(e.kind) && e.labelled == 0 {
			e.labelled = 2
			if labelled(doc.segs[e.seg].text, e.pos, e.end, e.term) {
				e.labelled = 1
			}
		}
		if clinical(e.kind) {
			if strings.HasPrefix(e.term, "icd10:") {
				icd = true
			}
			if !clin[e.term] {
				clin[e.term] = true
				clinKind[maskedTerm(e.kind, e.term)] = true
				if e.kind == medSymptom {
					symptoms++
				}
				if !s.hasSample {
					s.sample, s.hasSample = *e, true
				}
			}
			continue
		}
		fam[e.kind] = true
		if e.labelled == 1 {
			s.labelled[e.kind] = true
		}
		if e.labelled == 3 {
			named = true
		}
	}
	drugsOnly := true
	for i := range ev {
		if clinical(ev[i].kind) && ev[i].kind != medDrug {
			drugsOnly = false
			break
		}
	}
	// Symptoms (fever, cough) fill notices and chat: alone they count once.
	nc := len(clin)
	if symptoms == nc {
		nc = min(nc, 1)
	}
	if nc == 0 {
		return s
	}
	strong := false
	// A record shows itself as one: a record title, an identity (HKID, DOB,
	// MRN) or an anchor written as a field ("診斷：", "Patient:", "醫生：").
	// Notices and policies use the same words in running text only.
	// A field label ties the terms to a record only with a subject: a
	// person field, or a person word beside other fields. "Dosage:" on a
	// package insert, "主要診斷為" in hospital statistics and a "Doctor:"
	// column of a timetable name no one.
	documentary := fam[medRecord] || fam[medIdentity] || named || s.labelled[medPerson] || icd
	for k := range s.labelled {
		documentary = documentary || (s.labelled[k] && uint8(k) != medDoctor && fam[medPerson])
	}
	score := min(nc, maxClinical)
	for k := uint8(1); k < medKinds; k++ {
		if !fam[k] {
			continue
		}
		s.families = append(s.families, k)
		w := anchorWeight[k]
		if s.labelled[k] && k != medRecord || k == medPerson && named {
			// A field label, or a personal name beside the statement.
			w++
		}
		if w >= 2 {
			strong = true
		}
		score += w
	}
	// One clinical term needs a strong anchor (a record title or a labelled
	// field); otherwise two distinct terms are the minimum.
	reject := ""
	switch {
	case drugsOnly && !(fam[medRecord] || fam[medIdentity] || s.labelled[medPrescription] || named):
		reject = "medicines only, with no prescription or record: a sales or stock list"
	case len(s.families) == 0:
		reject = "no person or record anchor near the clinical terms"
	case nc < 2 && !strong:
		reject = "one clinical term without a record title or field"
	case !documentary:
		reject = "no record title, identity or field label: health text about no one"
	}
	if reject != "" {
		// Kept for explain only: score 0 never wins a window.
		terms := map[string]bool{}
		for k := range clinKind {
			terms[k] = true
		}
		return medScore{raw: score, reject: reject, families: s.families, labelled: s.labelled, clinical: firstN(uniqueSorted(terms), 8)}
	}
	s.score = score
	s.clinical = uniqueSorted(clinKind)
	if len(s.clinical) > 8 {
		s.clinical = s.clinical[:8]
	}
	return s
}

// patientRows counts table rows (tab, comma or '|' separated lines) that
// hold a clinical term: a patient list is one record per row. Linear: the
// text between rows is scanned once.
func (c *medicalClassifier) patientRows(doc *document) int {
	rows := 0
	for si := range doc.segs {
		text := doc.segs[si].text
		lineEnd := 0 // end of the last line looked at
		for _, h := range doc.hitsOf(si, clsMedical) {
			// Drug names alone make a sales or stock sheet, not a patient
			// list; a medication column under a health header is read by
			// healthTable.
			if !clinical(h.kind) || h.kind == medDrug || int(h.start) < lineEnd {
				continue
			}
			ls := lineEnd + strings.LastIndexByte(text[lineEnd:h.start], '\n') + 1
			le := strings.IndexByte(text[h.end:], '\n')
			if le < 0 {
				le = len(text)
			} else {
				le += int(h.end)
			}
			line := text[ls:le]
			if strings.Count(line, "\t")+strings.Count(line, ",")+strings.Count(line, "|") >= 2 {
				rows++
			}
			lineEnd = le
		}
	}
	return rows
}

// doses returns the offsets of up to limit dose amounts: a number, an
// optional space and mg, mcg, ml, g or 毫克, not followed by a letter.
func doses(text string, limit int) []int {
	// One pass for the units starting with m and one for 毫克, instead of
	// one per unit; each unit keeps up to limit offsets and they are taken
	// in the order mg, mcg, ml, 毫克, as one pass per unit would.
	var byUnit [4][]int
	at := func(u, i, n int) {
		if len(byUnit[u]) >= limit {
			return
		}
		j := i
		if j > 0 && text[j-1] == ' ' {
			j--
		}
		if j == 0 || !isDigit(text[j-1]) {
			return
		}
		if e := i + n; e < len(text) && isLetter(text[e]) {
			return
		}
		byUnit[u] = append(byUnit[u], j)
	}
	for from := 0; len(byUnit[0]) < limit; {
		i := strings.IndexByte(text[from:], 'm')
		if i < 0 {
			break
		}
		i += from
		from = i + 1
		switch rest := text[i+1:]; {
		case strings.HasPrefix(rest, "g"):
			at(0, i, 2)
		case strings.HasPrefix(rest, "cg"):
			at(1, i, 3)
		case strings.HasPrefix(rest, "l"):
			at(2, i, 2)
		}
	}
	if len(byUnit[0]) < limit {
		for from := 0; len(byUnit[3]) < limit; {
			i := strings.Index(text[from:], "毫克")
			if i < 0 {
				break
			}
			i += from
			from = i + len("毫克")
			at(3, i, len("毫克"))
		}
	}
	var out []int
	for _, u := range byUnit {
		out = append(out, u[:min(len(u), limit-len(out))]...)
	}
	sort.Ints(out)
	return out
}

// icdCodes returns the offsets of ICD-10-shaped codes (letter, two digits,
// optional dot and up to four characters, e.g. E11.65, M51.2, J18) in
// text[from:to], standing alone.
func icdCodes(text string, from, to int) []int {
	to = min(to, len(text))
	var out []int
	for i := from; i+3 <= to; i++ {
		b := text[i]
		if b < 'A' || b > 'Z' || b == 'U' || !isDigit(text[i+1]) || !isDigit(text[i+2]) {
			continue
		}
		if i > 0 && (isLetter(text[i-1]) || isDigit(text[i-1])) {
			continue
		}
		n := len(icdAt(text, i))
		if n == 0 {
			continue
		}
		out = append(out, i)
		i += n - 1
	}
	return out
}

// icdAt returns the code starting at text[i] or "".
func icdAt(text string, i int) string {
	j := i + 3
	if j < len(text) && text[j] == '.' {
		k := j + 1
		for k < len(text) && k-j <= 4 && (isDigit(text[k]) || (text[k] >= 'A' && text[k] <= 'Z')) {
			k++
		}
		if k > j+1 {
			j = k
		}
	}
	if j < len(text) && (isLetter(text[j]) || isDigit(text[j])) {
		return ""
	}
	return text[i:j]
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// explain reports the medical verdict with its score and signals, also
// when it stayed below the threshold.
func (c *medicalClassifier) explain(doc *document) Explanation {
	v := c.evaluate(doc)
	e := Explanation{Classifier: Medical, Fired: v.fired, Threshold: medThreshold}
	if v.fired {
		e.Confidence, e.Score, e.Signals = v.finding.Confidence, v.best.score, v.finding.Signals
		return e
	}
	s := v.best
	if s.score == 0 {
		s = v.rejected
		e.Score = s.raw
	} else {
		e.Score = s.score
	}
	switch {
	case v.noClinical:
		e.Reason = "no clinical term (condition, drug, procedure, test, symptom, TCM, scale)"
	case s.reject != "":
		e.Reason = s.reject
	case e.Score < medThreshold:
		e.Reason = fmt.Sprintf("score %d below %d", e.Score, medThreshold)
	}
	if v.patientRows > 0 {
		e.Signals = append(e.Signals, fmt.Sprintf("patient_rows:%d", v.patientRows))
	}
	for _, k := range s.families {
		sig := "anchor:" + medKindName[k]
		if s.labelled[k] {
			sig += ":field"
		}
		e.Signals = append(e.Signals, sig)
	}
	for _, t := range s.clinical {
		e.Signals = append(e.Signals, "term:"+t)
	}
	return e
}
