module hms/desktop

go 1.26.8
