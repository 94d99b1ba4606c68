module consumer/tools

go 1.22
