// The card form: Stripe.js collects the card and confirms the SetupIntent in the browser (the card never
// reaches daas); the resulting PaymentMethod id is then posted to daas, which makes it the default.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("save-card");

  form.addEventListener("submit", function (event) {
    if (document.getElementById("payment-method").value) { return; }  // confirmed: let the form go
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.confirmCardSetup(form.dataset.clientSecret, { payment_method: { card: card } }).then(function (result) {
      if (result.error) {
        errors.textContent = result.error.message || "The card was not accepted.";
        button.disabled = false;
        return;
      }
      document.getElementById("payment-method").value = result.setupIntent.payment_method;
      form.submit();
    });
  });
})();
