using Amends.Web.Features.Messaging.Email;
using MimeKit;

namespace Amends.Web.Tests.Messaging;

/// <summary>How a customer's e-mail is read: the new words apart from quoted history and signatures, HTML made safe, and what the headers say.</summary>
public sealed class MailTextTests
{
    [Theory]
    [InlineData("Thanks, that works.\n\nOn Mon, 30 Nov 2026 at 09:12, Care team <care@shop.test> wrote:\n> Try again", "Thanks, that works.")]
    [InlineData("Thanks.\n\nOn Mon, 30 Nov 2026 at 09:12, Care team <care@shop.test>\nwrote:\n> Try again", "Thanks.")]
    [InlineData("Danke.\n\nAm 30.11.2026 um 09:12 schrieb Care team <care@shop.test>:\n> Bitte", "Danke.")]
    [InlineData("Still broken.\n\n-----Original Message-----\nFrom: Care\nSent: Monday", "Still broken.")]
    [InlineData("Still broken.\n\nFrom: Care team <care@shop.test>\nSent: Monday, November 30, 2026 9:12 AM\nTo: Sam", "Still broken.")]
    [InlineData("See below.\n\n---------- Forwarded message ---------\nFrom: Care", "See below.")]
    [InlineData("Yes please.\n\n-- \nSam Carter\n+44 7700 900123", "Yes please.")]
    [InlineData("Yes please.\n\nSent from my iPhone", "Yes please.")]
    [InlineData("Yes please.\n> quoted\n> more", "Yes please.")]
    public void History_and_signatures_are_folded_away_below_the_new_text(string text, string expected)
    {
        var folded = MailText.Fold(text);
        Assert.Equal(expected, folded.NewText);
        Assert.True(folded.Folded);
    }

    [Fact]
    public void An_answer_written_between_quoted_lines_and_a_bare_forward_are_kept_whole()
    {
        const string inline = "> Which colour?\nBlue.\n> Which size?\nLarge.";
        Assert.Equal((inline, false), (MailText.Fold(inline).NewText, MailText.Fold(inline).Folded));

        const string bare = "---------- Forwarded message ---------\nFrom: Shop\n\nYour order";
        Assert.Equal((bare, false), (MailText.Fold(bare).NewText, MailText.Fold(bare).Folded));
        Assert.Equal(("Plain words.", false), (MailText.Fold("Plain words.\r\n\r\n\r\n").NewText, MailText.Fold("Plain words.").Folded));
    }

    [Fact]
    public void Html_reads_as_text_with_quotes_as_quoted_lines_and_is_sanitised()
    {
        const string html = "<div>Line one<br>Line two</div><p>Para <a href=\"https://x.test/a\">link</a></p><blockquote><p>old</p></blockquote><script>evil()</script>";
        Assert.Equal("Line one\nLine two\n\nPara link <https://x.test/a>\n\n> old", MailText.FromHtml(html));

        var safe = MailText.SanitizeHtml("<p style=\"background:url(https://t.test/p)\" onmouseover=\"x()\">Hi</p><img src=\"https://t.test/p.gif\"><iframe src=\"https://evil.test\"></iframe><a href=\"javascript:alert(1)\">x</a>");
        Assert.Contains("Hi", safe, StringComparison.Ordinal);
        Assert.DoesNotContain("t.test", safe, StringComparison.Ordinal);
        Assert.DoesNotContain("onmouseover", safe, StringComparison.Ordinal);
        Assert.DoesNotContain("iframe", safe, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript", safe, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auto-Submitted", "auto-replied", true)]
    [InlineData("Auto-Submitted", "auto-generated", true)]
    [InlineData("Auto-Submitted", "no", false)]
    [InlineData("Precedence", "bulk", true)]
    [InlineData("Precedence", "junk", true)]
    [InlineData("X-Autoreply", "yes", true)]
    [InlineData("List-Id", "<news.shop.test>", true)]
    [InlineData("X-Mailer", "Thunderbird", false)]
    public void Automatic_mail_is_known_by_its_headers(string header, string value, bool automatic)
    {
        var message = Message("Re: your case");
        message.Headers.Add(header, value);
        Assert.Equal(automatic, MailClassifier.Classify(message).Automatic);
    }

    [Theory]
    [InlineData("Automatic reply: Your case AM-10001", true)]
    [InlineData("Out of Office: back Monday", true)]
    [InlineData("Re: Your case AM-10001", false)]
    public void An_out_of_office_subject_is_automatic_too(string subject, bool automatic) =>
        Assert.Equal(automatic, MailClassifier.Classify(Message(subject)).Automatic);

    [Theory]
    [InlineData("X-Spam-Flag", "YES", true)]
    [InlineData("X-Spam-Flag", "NO", false)]
    [InlineData("X-Spam-Status", "Yes, score=7.2 required=5.0 tests=URIBL", true)]
    [InlineData("X-Spam-Status", "No, score=0.1 required=5.0", false)]
    public void Spam_is_what_the_mail_server_says_it_is(string header, string value, bool spam)
    {
        var message = Message("Hello");
        message.Headers.Add(header, value);
        Assert.Equal(spam, MailClassifier.Classify(message).Spam is not null);
    }

    [Fact]
    public void A_bounce_without_the_standard_report_still_names_the_message_it_returns()
    {
        var bounce = Message("Mail delivery failed: returning message to sender", from: "MAILER-DAEMON@mx.example.com",
            text: "This message was created automatically by mail delivery software.\n\nMessage-ID: <0a1b2c@amends.test>\n550 No such user");
        var report = MailClassifier.Classify(bounce);
        Assert.True(report.Automatic);
        Assert.NotNull(report.Bounce);
        Assert.True(report.Bounce.Failed);
        Assert.Contains("<0a1b2c@amends.test>", report.Bounce.OriginalMessageIds);
    }

    private static MimeMessage Message(string subject, string from = "sam@customer.test", string text = "Hello")
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = text } };
        message.From.Add(MailboxAddress.Parse(from));
        return message;
    }
}
