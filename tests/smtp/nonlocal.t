# A domain without a [domain] section is not local: 550 5.7.1 unless the
# client may relay.  A [relay] section alone does not open relaying.
# Domains are case-insensitive; a subdomain is another domain.
!user example.test/alice
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
S: 550 5.7.1 Relaying denied
C: RCPT TO:<alice@sub.example.test>
S: 550 5.7.1 Relaying denied
C: RCPT TO:<alice@EXAMPLE.Test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: local only
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.net/carol 0
!log code=550 status=5.7.1 cmd=RCPT text="Relaying denied"
