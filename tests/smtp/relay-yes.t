# relay = yes in [smtpd] opens relaying like RELAYCLIENT.
!conf [smtpd]
!conf relay = yes
!conf [relay]
!conf store = maildir
!conf path = mail/%d/%u
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
C: RCPT TO:<carol@example.net>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: open relay by configuration
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.net/carol 1
