# The twin of slowloris-data.t: whole lines with the same 0.4 s gaps keep
# DATA alive past the timeout, because each line end renews it.  timeout
# = 2 (not 1): a gap may grow on a busy machine, and 2.4 s in all is still
# past it.
!user example.test/alice
!conf [smtpd]
!conf timeout = 2
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: line 1
!sleep 0.4
C: line 2
!sleep 0.4
C: line 3
!sleep 0.4
C: line 4
!sleep 0.4
C: line 5
!sleep 0.4
C: line 6
!sleep 0.4
C: line 7
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice line 1\r\nline 2\r\nline 3\r\nline 4\r\nline 5\r\nline 6\r\nline 7\r\n
