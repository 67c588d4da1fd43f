module github.com/proglog-workshop/proglog/ch02-more

go 1.26.0
