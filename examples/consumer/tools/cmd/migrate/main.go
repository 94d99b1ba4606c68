// Command migrate: Database migrations.
//
// Starter written once by prism-projen; it is yours to edit.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("migrate 0.1.0")
		return
	}
	fmt.Fprintln(os.Stderr, "migrate: started")
}
