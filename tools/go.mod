module prism/tools

go 1.22
