/* Shrink a phone photo before upload (weak mobile data) and show a preview.
   Without JavaScript, or without canvas/DataTransfer, the form sends the original file unchanged. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-shrink]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input[type=file]");
    var preview = form.querySelector(".preview");
    var maxSide = parseInt(form.getAttribute("data-shrink"), 10) || 1600;
    if (!input || !window.URL || !window.HTMLCanvasElement) { return; }
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) { return; }
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        if (preview) { preview.src = url; preview.hidden = false; }
        var scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
        if (scale >= 1 && file.size < 1500000) { return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        if (!canvas.toBlob || typeof DataTransfer === "undefined") { return; }
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { return; }
          var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], name, { type: "image/jpeg" }));
          input.files = transfer.files;  /* canvas drops EXIF, GPS included */
        }, "image/jpeg", 0.85);
      };
      img.src = url;
    });
  });
})();
