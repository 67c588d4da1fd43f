module github.com/proglog-workshop/proglog/ch01-sum

go 1.26.0
