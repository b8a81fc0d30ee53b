package audit

import (
	"bufio"
	"encoding/json"
	"os"
	"sort"
)

// InstanceFiles are the files of one instance's chain. Every dlpgate
// instance keeps its own hash chain (its own seq and prev_hash), so files
// of several instances — two egress boxes behind PAC failover — verify
// chain by chain, grouped by the observer.name of their first record.
type InstanceFiles struct {
	Instance string // observer.name; "" when the first record names none or cannot be read
	Files    []string
}

// GroupByInstance splits files by the instance that wrote them, in order
// of instance name; a file whose first record cannot be read goes with the
// unnamed group, where Verify reports what is wrong with it.
func GroupByInstance(files []string) []InstanceFiles {
	idx := map[string]int{}
	var out []InstanceFiles
	for _, f := range files {
		name := firstInstance(f)
		i, ok := idx[name]
		if !ok {
			i = len(out)
			idx[name] = i
			out = append(out, InstanceFiles{Instance: name})
		}
		out[i].Files = append(out[i].Files, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Instance < out[j].Instance })
	return out
}

func firstInstance(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, 64<<10).ReadSlice('\n')
	if err != nil && len(line) == 0 {
		return ""
	}
	var w struct {
		Observer struct {
			Name string `json:"name"`
		} `json:"observer"`
	}
	if json.Unmarshal(line, &w) != nil {
		return ""
	}
	return w.Observer.Name
}
