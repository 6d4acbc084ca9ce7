# At the recipient limit a repeated recipient still gets 250 and is
# stored once; a new one gets 452 4.5.3 (RFC 5321 4.5.3.1.10).
!user example.test/u1
!user example.test/u2
!user example.test/u3
!user example.test/u4
!user example.test/u5
!user example.test/u6
!user example.test/u7
!user example.test/u8
!user example.test/u9
!user example.test/u10
!user example.test/u11
!user example.test/u12
!user example.test/u13
!user example.test/u14
!user example.test/u15
!user example.test/u16
!user example.test/u17
!user example.test/u18
!user example.test/u19
!user example.test/u20
!user example.test/u21
!user example.test/u22
!user example.test/u23
!user example.test/u24
!user example.test/u25
!user example.test/u26
!user example.test/u27
!user example.test/u28
!user example.test/u29
!user example.test/u30
!user example.test/u31
!user example.test/u32
!user example.test/u33
!user example.test/u34
!user example.test/u35
!user example.test/u36
!user example.test/u37
!user example.test/u38
!user example.test/u39
!user example.test/u40
!user example.test/u41
!user example.test/u42
!user example.test/u43
!user example.test/u44
!user example.test/u45
!user example.test/u46
!user example.test/u47
!user example.test/u48
!user example.test/u49
!user example.test/u50
!user example.test/u51
!user example.test/u52
!user example.test/u53
!user example.test/u54
!user example.test/u55
!user example.test/u56
!user example.test/u57
!user example.test/u58
!user example.test/u59
!user example.test/u60
!user example.test/u61
!user example.test/u62
!user example.test/u63
!user example.test/u64
!user example.test/u65
!user example.test/u66
!user example.test/u67
!user example.test/u68
!user example.test/u69
!user example.test/u70
!user example.test/u71
!user example.test/u72
!user example.test/u73
!user example.test/u74
!user example.test/u75
!user example.test/u76
!user example.test/u77
!user example.test/u78
!user example.test/u79
!user example.test/u80
!user example.test/u81
!user example.test/u82
!user example.test/u83
!user example.test/u84
!user example.test/u85
!user example.test/u86
!user example.test/u87
!user example.test/u88
!user example.test/u89
!user example.test/u90
!user example.test/u91
!user example.test/u92
!user example.test/u93
!user example.test/u94
!user example.test/u95
!user example.test/u96
!user example.test/u97
!user example.test/u98
!user example.test/u99
!user example.test/u100
!user example.test/u101
S: 220 *
C: EHLO x
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250 CHUNKING
C: MAIL FROM:<a@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<u1@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u2@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u3@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u4@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u5@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u6@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u7@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u8@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u9@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u10@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u11@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u12@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u13@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u14@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u15@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u16@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u17@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u18@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u19@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u20@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u21@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u22@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u23@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u24@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u25@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u26@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u27@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u28@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u29@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u30@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u31@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u32@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u33@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u34@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u35@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u36@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u37@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u38@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u39@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u40@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u41@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u42@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u43@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u44@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u45@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u46@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u47@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u48@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u49@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u50@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u51@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u52@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u53@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u54@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u55@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u56@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u57@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u58@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u59@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u60@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u61@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u62@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u63@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u64@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u65@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u66@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u67@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u68@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u69@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u70@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u71@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u72@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u73@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u74@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u75@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u76@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u77@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u78@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u79@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u80@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u81@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u82@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u83@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u84@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u85@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u86@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u87@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u88@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u89@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u90@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u91@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u92@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u93@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u94@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u95@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u96@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u97@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u98@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u99@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u100@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u7@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<u101@example.test>
S: 452 4.5.3 Too many recipients
C: DATA
S: 354 *
C: Subject: many
C:
C: x
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 *
!mail example.test/u7 1
!mail example.test/u100 1
!mail example.test/u101 0
